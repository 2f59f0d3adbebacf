"""Registering each installed slice's blueprints, so no central list of URLs grows with every slice.

The rule: the API of slice ``shared.<name>`` is the module (or package) ``backend.api.<name>``, which lists
its flask-smorest blueprints in ``blueprints``. ``backend.api.platform`` holds what is served whatever the
slices (health, configuration, text views). A slice without an API module serves nothing over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from flask_smorest import Api, Blueprint

from shared.slices import Platform

PLATFORM_API = "backend.api.platform"


def api_module_name(slice_name: str) -> str:
    """``backend.api.<last part of the slice's name>``."""
    return "backend.api." + slice_name.rpartition(".")[2]


def register_slice_apis(api: Api, platform: Platform) -> None:
    """Register the platform's blueprints, then each installed slice's, in install order."""
    for blueprint in slice_blueprints(platform):
        api.register_blueprint(blueprint)


def slice_blueprints(platform: Platform) -> Iterator[Blueprint]:
    """The blueprints to serve for ``platform``."""
    for name in (PLATFORM_API, *(api_module_name(s) for s in platform.installed)):
        module = _optional_module(name)
        if module is not None:
            yield from getattr(module, "blueprints", ())


def _optional_module(name: str) -> ModuleType | None:
    try:
        return import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name:
            return None
        raise
