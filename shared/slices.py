"""The slices of the platform, listed once, and the registry each one installs itself into.

A slice is a domain package (``shared/pipelines``, ``shared/scheduling``, later ``shared/twins``...) with a
module ``slice.py`` defining ``install(platform: Platform) -> None`` (as Warehouse's ``includeme``): there it
adds its job kinds, permissions, plugin types and plugins, its settings section and the modules of its
tables. The API, the workers, the CLI and the MCP server all build one :class:`Platform` with
:func:`load_platform` (``shared.services.build_services`` does) and read what the slices installed; the API
adds the blueprints of ``backend.api.<slice>`` for each installed slice (see ARCHITECTURE.md). Adding a slice
is its folder plus one line in :data:`SLICES` (or, for a test or a third party, ``load_platform(extra)``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

from shared.errors import MimirError
from shared.jobs.kinds import JobKind, JobKinds
from shared.security.permissions import Permission, Permissions
from shared.settings_sections import SettingsSections

# The one list of built-in slices, in install order.
SLICES: tuple[str, ...] = (
    "shared.security",
    "shared.pipelines",
    "shared.jobs",
    "shared.scheduling",
    "shared.twins",
    "shared.vectors",
    "shared.mcp",
    "shared.workflows",
)

# A plugin to import on first use: ``"module:Class"`` or a callable returning the class.
PluginTarget = str | Callable[[], Any]


class SliceError(MimirError):
    """A listed slice cannot be installed; the message names it."""


@dataclass
class Platform:
    """What the installed slices provide."""

    job_kinds: JobKinds = field(default_factory=JobKinds)
    permissions: Permissions = field(default_factory=Permissions)
    plugin_types: list[str] = field(default_factory=list)
    plugins: dict[str, tuple[PluginTarget, str]] = field(default_factory=dict)  # key -> (target, slice)
    settings_sections: SettingsSections = field(default_factory=SettingsSections)
    model_modules: list[str] = field(default_factory=list)
    installed: list[str] = field(default_factory=list)
    installing: str | None = None

    def add_job_kind(self, kind: JobKind) -> None:
        """Install a job kind (its name must be new)."""
        self.job_kinds.add(kind)

    def add_permissions(self, *permissions: Permission) -> None:
        """Declare permissions; roles hold them by their level (viewer: read, operator: +operate, admin)."""
        for permission in permissions:
            self.permissions.add(permission)

    def add_plugin_types(self, *types: str) -> None:
        """Allow plugins named ``<type>.<name>`` for each of ``types``."""
        for plugin_type in types:
            if plugin_type in self.plugin_types:
                raise SliceError(f"{self._who}: plugin type {plugin_type!r} is already installed")
            self.plugin_types.append(plugin_type)

    def add_plugins(self, plugins: Mapping[str, PluginTarget]) -> None:
        """Provide built-in plugins, ``"Type.name"`` -> ``"module:Class"``, imported on first use."""
        for key, target in plugins.items():
            if key in self.plugins:
                raise SliceError(f"{self._who}: plugin {key!r} is already provided by {self.plugins[key][1]}")
            self.plugins[key] = (target, self._who)

    def add_settings_section(self, name: str, section: type[Any]) -> None:
        """Own the ``name:`` section of config.yaml, read into the dataclass ``section`` (see
        :mod:`shared.settings_sections`); ``Services.section(section)`` gives the values."""
        self.settings_sections.add(name, section)

    def add_models(self, *modules: str) -> None:
        """Name modules whose SQLAlchemy tables Alembic must see (imported by the migrations' env)."""
        self.model_modules.extend(m for m in modules if m not in self.model_modules)

    def import_models(self) -> None:
        """Import every installed slice's table modules (so ``Base.metadata`` holds all tables)."""
        for module in self.model_modules:
            import_module(module)

    @property
    def _who(self) -> str:
        return f"slice {self.installing}" if self.installing else "the platform"


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
    platform.installing = name
    try:
        install(platform)
    finally:
        platform.installing = None
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
