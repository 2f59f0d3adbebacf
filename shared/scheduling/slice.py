"""The scheduling slice: cron schedules fired by beat, and the upkeep beat runs."""

from __future__ import annotations

from shared.scheduling import permissions
from shared.slices import Platform


def install(platform: Platform) -> None:
    """Install the scheduling slice."""
    platform.add_permissions(*permissions.ALL)
    platform.add_models("shared.scheduling.records")
