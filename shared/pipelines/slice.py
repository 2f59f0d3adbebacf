"""The pipelines slice: YAML pipelines of plugin steps, their job kind, permissions, step types, built-in
plugins and tables."""

from __future__ import annotations

from shared.pipelines import permissions
from shared.pipelines.job_kind import pipeline_job_kind
from shared.plugins.base import PIPELINE_PLUGIN_TYPES
from shared.plugins.builtin import BUILTIN_PLUGINS
from shared.slices import Platform


def install(platform: Platform) -> None:
    """Install the pipelines slice."""
    platform.add_job_kind(pipeline_job_kind())
    platform.add_permissions(*permissions.ALL)
    platform.add_plugin_types(*PIPELINE_PLUGIN_TYPES)
    platform.add_plugins(BUILTIN_PLUGINS)
    platform.add_models("shared.pipelines.records")
