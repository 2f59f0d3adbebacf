"""The pipelines slice: YAML pipelines of plugin steps, their permissions, step types, built-in plugins and
tables."""

from __future__ import annotations

from shared.pipelines import permissions
from shared.plugins.base import PIPELINE_PLUGIN_TYPES
from shared.plugins.builtin import BUILTIN_PLUGINS
from shared.slices import Platform


def install(platform: Platform) -> None:
    """Install the pipelines slice."""
    platform.add_permissions(*permissions.ALL)
    platform.add_plugin_types(*PIPELINE_PLUGIN_TYPES)
    platform.add_plugins(BUILTIN_PLUGINS)
    platform.add_models("shared.pipelines.records")
