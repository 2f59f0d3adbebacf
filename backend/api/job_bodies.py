"""The JSON bodies of the per-job answers (enqueue's 202, wait, get, cancel) built directly from a job.

The same output as ``JobSchema().dump(job)`` and ``EnqueuedSchema().dump(...)`` field for field (the
schemas stay the documentation; ``tests/backend/api/test_job_bodies.py`` holds the two equal), without
marshmallow's per-field machinery: the dump was the largest part of a wait request's CPU after the
query. A field added to ``JobSchema`` must be added here (that test fails until it is).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.jobs.records import JobRecord


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _whole(value: Any) -> int | None:
    return None if value is None else int(value)


def _mapping(value: Any) -> dict[str, Any] | None:
    return None if value is None else dict(value)


def job_body(job: JobRecord) -> dict[str, Any]:
    """``JobSchema().dump(job)``."""
    steps = job.steps
    return {
        "id": _text(job.id),
        "kind": _text(job.kind),
        "type": job.kind,
        "status": _text(job.status),
        "pipeline_id": _text(job.pipeline_id),
        "pipeline_name": _text(job.pipeline_name),
        "pipeline_revision": _whole(job.pipeline_revision),
        "progress": None if job.progress is None else float(job.progress),
        "current_step": _text(job.current_step),
        "steps": None if steps is None else [_mapping(step) for step in steps],
        "context": _mapping(job.input_context),
        "output": _mapping(job.output_context),
        "error": _text(job.error),
        "worker_id": _text(job.worker_id),
        "attempts": _whole(job.attempts),
        "cancel_requested": None if job.cancel_requested is None else bool(job.cancel_requested),
        "triggered_by": _text(job.triggered_by),
        "schedule_id": _text(job.schedule_id),
        "scheduled_for": _when(job.scheduled_for),
        "request_id": _text(job.request_id),
        "created_at": _when(job.created_at),
        "started_at": _when(job.started_at),
        "finished_at": _when(job.finished_at),
        "updated_at": _when(job.updated_at),
    }


def enqueued_body(job: JobRecord) -> dict[str, Any]:
    """``EnqueuedSchema().dump(...)`` of an accepted job: the 202 body."""
    return {
        "job_id": _text(job.id),
        "kind": _text(job.kind),
        "status": _text(job.status),
        "pipeline_name": _text(job.pipeline_name),
        "created_at": _when(job.created_at),
    }
