"""The plugin registry: built-ins, ``mimir.plugins`` entry points and plugin directories, loaded lazily."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shared.errors import MimirError
from shared.plugins.base import PIPELINE_PLUGIN_TYPES, Plugin

if TYPE_CHECKING:
    from shared.slices import Platform

ENTRY_POINT_GROUP = "mimir.plugins"


class PluginRegistryError(MimirError):
    """A plugin cannot be registered: a duplicate ``Type.name``, a bad type, or an import failure."""


@dataclass
class _Source:
    origin: str
    load: Any  # () -> type[Plugin]
    plugin: type[Plugin] | None = None


@dataclass(eq=False)  # compared and hashed by identity (caches key on the registry)
class PluginRegistry:
    """Finds plugins by ``Type.name``; imports each only when it is first used."""

    types: tuple[str, ...] = PIPELINE_PLUGIN_TYPES  # default() takes the types the installed slices allow
    directories: tuple[Path, ...] = ()
    include_entry_points: bool = True
    _sources: dict[str, _Source] = field(default_factory=dict)
    _directories_loaded: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock)

    @classmethod
    def default(
        cls,
        directories: Iterable[Path] = (),
        *,
        include_entry_points: bool = True,
        platform: Platform | None = None,
    ) -> PluginRegistry:
        """A registry of the slices' plugins (default: the listed slices'), installed entry points and the
        given plugin directories."""
        if platform is None:
            from shared.slices import load_platform

            platform = load_platform()
        registry = cls(
            types=tuple(platform.plugin_types),
            directories=tuple(directories),
            include_entry_points=include_entry_points,
        )
        for key, (target, slice_name) in platform.plugins.items():
            registry.add_lazy(key, target, origin=f"builtin ({slice_name})")
        if include_entry_points:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                registry.add_lazy(ep.name, ep.load, origin=f"entry point {ep.value}")
        return registry

    def add_lazy(self, key: str, target: Any, *, origin: str) -> None:
        """Register ``key`` to be imported on first use from ``"module:Class"`` or a loader callable."""
        self._check_key(key, origin)
        loader = (lambda: _import_target(target)) if isinstance(target, str) else target
        self._sources[key] = _Source(origin=origin, load=loader)

    def add(self, plugin: type[Plugin], *, origin: str = "code") -> None:
        """Register an already imported plugin class."""
        self._check_plugin_class(plugin, origin)
        key = plugin.key()
        self._check_key(key, origin)
        self._sources[key] = _Source(origin=origin, load=lambda: plugin, plugin=plugin)

    def get(self, key: str) -> type[Plugin] | None:
        """The plugin class for ``key``, or None when no source provides it."""
        with self._lock:
            source = self._sources.get(key)
            if source is None and not self._directories_loaded:
                self._load_directories()
                source = self._sources.get(key)
            if source is None:
                return None
            if source.plugin is None:
                plugin = source.load()
                self._check_plugin_class(plugin, source.origin)
                if plugin.key() != key:
                    raise PluginRegistryError(
                        f"{source.origin} is registered as {key!r} but declares {plugin.key()!r}"
                    )
                source.plugin = plugin
            return source.plugin

    def keys(self) -> list[str]:
        """Every registered ``Type.name``, sorted."""
        with self._lock:
            if not self._directories_loaded:
                self._load_directories()
            return sorted(self._sources)

    def all(self) -> list[type[Plugin]]:
        """Every plugin class (imports them all)."""
        return [p for p in (self.get(k) for k in self.keys()) if p is not None]

    def _check_key(self, key: str, origin: str) -> None:
        if key in self._sources:
            raise PluginRegistryError(
                f"duplicate plugin {key!r}: {origin} and {self._sources[key].origin} both provide it"
            )
        plugin_type, _, name = key.partition(".")
        if not name or plugin_type not in self.types:
            raise PluginRegistryError(
                f"{origin}: plugin name {key!r} must be 'Type.name', Type one of {', '.join(self.types)}"
            )

    def _check_plugin_class(self, plugin: Any, origin: str) -> None:
        if not (inspect.isclass(plugin) and issubclass(plugin, Plugin)):
            raise PluginRegistryError(f"{origin} does not provide a Plugin subclass")
        if plugin.type not in self.types or not plugin.name:
            raise PluginRegistryError(f"{origin}: plugin must set type (one of {self.types}) and name")

    def _load_directories(self) -> None:
        self._directories_loaded = True
        for directory in self.directories:
            for path in sorted(Path(directory).glob("*.py")):
                if path.name.startswith("_"):
                    continue
                for plugin in _plugins_in_file(path):
                    self.add(plugin, origin=f"file {path}")


def _import_target(target: str) -> type[Plugin]:
    module_name, _, attr = target.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def _plugins_in_file(path: Path) -> list[type[Plugin]]:
    module_name = f"mimir_plugin_dir_{abs(hash(str(path.resolve())))}_{path.stem}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise PluginRegistryError(f"cannot import plugin file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a broken third-party file must name itself, not crash opaquely
        raise PluginRegistryError(f"plugin file {path} failed to import: {exc}") from exc
    return [
        obj
        for obj in vars(module).values()
        if inspect.isclass(obj)
        and issubclass(obj, Plugin)
        and obj is not Plugin
        and obj.__module__ == module_name
        and obj.type
        and obj.name
    ]
