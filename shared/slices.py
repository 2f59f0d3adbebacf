"""The slices of the platform, listed once, and the registry each one installs itself into.

A slice is a domain package (``shared/pipelines``, ``shared/scheduling``, later ``shared/twins``...) with a
module ``slice.py`` defining ``install(platform: Platform) -> None`` (as Warehouse's ``includeme``): there it
adds its job kinds, and (as the platform grows) its settings section, permissions, plugins, tables and
metrics. The API, the workers, the CLI and the MCP server all build one :class:`Platform` with
:func:`load_platform` and read what the slices installed. Adding a slice is its folder plus one line in
:data:`SLICES` (or, for a third party or a test, the ``platform.extra_slices`` setting).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import import_module

from shared.errors import MimirError
from shared.jobs.kinds import JobKind, JobKinds

# The one list of built-in slices, in install order.
SLICES: tuple[str, ...] = ("shared.pipelines",)


class SliceError(MimirError):
    """A listed slice cannot be installed; the message names it."""


@dataclass
class Platform:
    """What the installed slices provide."""

    job_kinds: JobKinds = field(default_factory=JobKinds)
    installed: list[str] = field(default_factory=list)

    def add_job_kind(self, kind: JobKind) -> None:
        """Install a job kind (its name must be new)."""
        self.job_kinds.add(kind)


def load_platform(extra_slices: Iterable[str] = ()) -> Platform:
    """A platform with every listed slice installed, then ``extra_slices`` (module names) in order."""
    platform = Platform()
    for name in (*SLICES, *extra_slices):
        install_slice(platform, name)
    return platform


def install_slice(platform: Platform, name: str) -> None:
    """Import ``<name>.slice`` (or ``name`` itself if it defines ``install``) and install it once."""
    if name in platform.installed:
        return
    module = _slice_module(name)
    install = getattr(module, "install", None)
    if not callable(install):
        raise SliceError(f"slice {name!r} has no install(platform) function")
    install(platform)
    platform.installed.append(name)


def _slice_module(name: str) -> object:
    try:
        return import_module(f"{name}.slice")
    except ModuleNotFoundError as exc:
        # Missing: the slice module, the package, or a parent of it (a typo). Anything else is a missing
        # dependency of the slice itself, and stays that error.
        if not f"{name}.slice.".startswith(f"{exc.name}."):
            raise
    try:
        return import_module(name)
    except ModuleNotFoundError as exc:
        raise SliceError(f"slice {name!r} cannot be imported: {exc}") from exc
