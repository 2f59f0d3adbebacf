"""The workflows slice: workflows (DAGs of pipeline tasks), their job kind, permissions and tables."""

from __future__ import annotations

from shared.slices import Platform
from shared.workflows import permissions
from shared.workflows.job_kind import workflow_job_kind


def install(platform: Platform) -> None:
    """Install the workflows slice."""
    platform.add_job_kind(workflow_job_kind())
    platform.add_permissions(*permissions.ALL)
    platform.add_models("shared.workflows.records")
