"""Settings sections owned by slices: a slice's own part of ``config.yaml``, typed as a dataclass.

The core settings stay the one flat :class:`shared.config.Settings`. A slice that needs settings of its own
declares a frozen dataclass and installs it with ``platform.add_settings_section("twins", TwinsSettings)``;
``config.yaml``'s ``twins:`` section and ``MIMIR_TWINS_<KEY>`` variables then set its fields, and a bad or
unknown key stops the start with a message naming it, as for the core settings. Field types may be ``str``,
``int``, ``float``, ``bool``, ``tuple[str, ...]`` and those ``| None``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from shared.config import ConfigError, setting_keys

S = TypeVar("S")


class SectionError(ConfigError):
    """A slice's settings section is declared wrongly, unknown, or given a bad value; the message names it."""


class SettingsSections:
    """The sections the installed slices own: name -> dataclass."""

    def __init__(self) -> None:
        self._types: dict[str, type[Any]] = {}

    def add(self, name: str, section: type[Any]) -> None:
        """Own ``name`` (refused if another slice owns it or the core settings use it)."""
        if not dataclasses.is_dataclass(section):
            raise SectionError(f"settings section {name!r}: {section!r} is not a dataclass")
        if name in self._types or name in {s for s, _, _ in setting_keys()}:
            raise SectionError(f"settings section {name!r} is already owned")
        missing = [f.name for f in dataclasses.fields(section) if _has_no_default(f)]
        if missing:
            raise SectionError(f"settings section {name!r}: give {', '.join(missing)} a default")
        self._types[name] = section

    def names(self) -> tuple[str, ...]:
        """Every owned section name."""
        return tuple(self._types)

    def read(self, raw: Mapping[str, Mapping[str, Any]]) -> dict[type[Any], Any]:
        """Each owned section's dataclass filled from ``raw`` (``{section: {key: value}}``), by type."""
        unknown = sorted(set(raw) - set(self._types))
        if unknown:
            raise SectionError(f"unknown settings section {unknown[0]!r} (no installed slice owns it)")
        return {section: _read_one(name, section, raw.get(name, {})) for name, section in self._types.items()}


def _has_no_default(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _read_one(name: str, section: type[S], values: Mapping[str, Any]) -> S:
    hints = typing.get_type_hints(section)
    known = {f.name for f in dataclasses.fields(section)}  # type: ignore[arg-type]
    given: dict[str, Any] = {}
    for key, raw in values.items():
        if key not in known:
            raise SectionError(f"unknown setting {name}.{key} (known: {', '.join(sorted(known))})")
        try:
            given[key] = _parse(hints[key], raw)
        except (TypeError, ValueError) as exc:
            raise SectionError(f"bad value for {name}.{key}: {exc}") from exc
    return section(**given)


def _parse(hint: Any, raw: Any) -> Any:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if raw in (None, "") and type(None) in options:
        return None
    target = next(o for o in options if o is not type(None))
    if target is bool:
        return _bool(raw)
    if target in (int, float, str):
        return target(raw)
    if typing.get_origin(target) is tuple:
        items: Iterable[Any] = raw.split(",") if isinstance(raw, str) else raw
        return tuple(str(item).strip() for item in items if str(item).strip())
    raise TypeError(f"unsupported setting type {target!r}")


def _bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {raw!r}")
