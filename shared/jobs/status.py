"""Job and step statuses, and the triggers that create jobs."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    """Where a job is in its life; the last three are terminal."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_terminal(self) -> bool:
        """Whether the job will never change again."""
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class StepStatus(StrEnum):
    """Where one step of a job is; a step that was running when its job was cancelled is ``cancelled``, the
    steps after a failure or a cancellation are ``skipped``."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class TriggeredBy(StrEnum):
    """Who asked for the job."""

    API = "api"
    SCHEDULER = "scheduler"
    MANUAL = "manual"
    WORKFLOW = "workflow"  # a task of a workflow run (the job's parent_job_id)
