"""The twins slice: digital twins, their job kind (simulations on the workers), permissions, tables and
pipeline steps."""

from __future__ import annotations

from shared.slices import Platform
from shared.twins import permissions
from shared.twins.job_kind import twin_job_kind

TWIN_PLUGIN_TYPES = ("Digital_Twin",)
TWIN_PLUGINS = {
    "Output.twin_state": "shared.twins.plugins:TwinStateOutput",
    "Digital_Twin.simulate": "shared.twins.plugins:TwinSimulate",
}


def install(platform: Platform) -> None:
    """Install the twins slice."""
    platform.add_job_kind(twin_job_kind())
    platform.add_permissions(*permissions.ALL)
    platform.add_plugin_types(*TWIN_PLUGIN_TYPES)
    platform.add_plugins(TWIN_PLUGINS)
    platform.add_models("shared.twins.records")
