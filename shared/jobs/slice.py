"""The jobs slice: the job record, its queue and its logs (the kinds come from the slices that run them)."""

from __future__ import annotations

from shared.jobs import permissions
from shared.slices import Platform


def install(platform: Platform) -> None:
    """Install the jobs slice."""
    platform.add_permissions(*permissions.ALL)
    platform.add_models("shared.jobs.records")
