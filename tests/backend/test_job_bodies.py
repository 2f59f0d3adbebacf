"""The per-job answers built without marshmallow are exactly what the documented schemas dump."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.api.job_bodies import enqueued_body, job_body
from backend.api.schemas import EnqueuedSchema, JobSchema
from shared.jobs.records import JobRecord, detached_job

CREATED = datetime(2026, 12, 2, 11, 5, 17, 209831, tzinfo=UTC)


def _queued() -> JobRecord:
    return detached_job(
        {
            "id": "3f2b6c1e-0000-4000-8000-000000000001",
            "kind": "pipeline",
            "status": "queued",
            "pipeline_id": None,
            "pipeline_name": "bench-noop",
            "pipeline_revision": None,
            "spec": {"definition": {"name": "bench-noop"}},
            "input_context": {},
            "output_context": None,
            "steps": [],
            "progress": 0.0,
            "cancel_requested": False,
            "attempts": 0,
            "triggered_by": "api",
            "request_id": "req-1",
            "created_at": CREATED,
            "updated_at": CREATED,
        }
    )


def _finished() -> JobRecord:
    return detached_job(
        {
            "id": "3f2b6c1e-0000-4000-8000-000000000002",
            "kind": "pipeline",
            "status": "succeeded",
            "pipeline_id": "p-1",
            "pipeline_name": "etl",
            "pipeline_revision": 3,
            "input_context": {"n": 1, "nested": {"a": [1, 2.5, None, "é"]}},
            "output_context": {"r0": 55, "ok": True},
            "steps": [{"name": "a", "status": "succeeded", "seconds": 0.001}],
            "progress": 1,
            "current_step": "a",
            "error": None,
            "worker_id": "w@host",
            "attempts": 2,
            "cancel_requested": 1,
            "triggered_by": "schedule",
            "schedule_id": "s-1",
            "scheduled_for": CREATED - timedelta(seconds=1),
            "request_id": None,
            "created_at": CREATED,
            "started_at": CREATED + timedelta(milliseconds=3),
            "finished_at": CREATED + timedelta(milliseconds=9),
            "updated_at": CREATED + timedelta(milliseconds=9),
        }
    )


def _failed_orm_row() -> JobRecord:
    return JobRecord(
        id="3f2b6c1e-0000-4000-8000-000000000003",
        kind="twin_simulation",
        status="failed",
        pipeline_name="twin run",
        input_context={},
        steps=[],
        progress=0.5,
        error="step b: boom",
        attempts=1,
        cancel_requested=False,
        triggered_by="api",
        created_at=CREATED,
        updated_at=CREATED,
    )


@pytest.mark.parametrize(
    "job", [_queued(), _finished(), _failed_orm_row()], ids=["queued", "finished", "orm"]
)
def test_job_body_is_the_job_schema_dump(job: JobRecord) -> None:
    assert job_body(job) == JobSchema().dump(job)
    assert list(job_body(job)) == list(JobSchema().dump(job))  # the same fields in the same order


@pytest.mark.parametrize("job", [_queued(), _failed_orm_row()], ids=["detached", "orm"])
def test_enqueued_body_is_the_enqueued_schema_dump(job: JobRecord) -> None:
    documented = {
        "job_id": job.id,
        "kind": job.kind,
        "status": job.status,
        "pipeline_name": job.pipeline_name,
        "created_at": job.created_at,
    }
    assert enqueued_body(job) == EnqueuedSchema().dump(documented)
