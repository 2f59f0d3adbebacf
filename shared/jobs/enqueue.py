"""Starting runs: enqueue for the workers, or run here and now (the synchronous execute)."""

from __future__ import annotations

import os
import socket
from typing import Any

from celery import Celery

from shared.errors import MimirError
from shared.jobs import service
from shared.jobs.records import JobRecord
from shared.jobs.runner import JobRuntime, run_claimed_job
from shared.jobs.status import TriggeredBy
from shared.jobs.targets import RunTarget
from shared.observability import metrics
from shared.observability.context import current_request_id
from shared.queue.dispatch import publish_pipeline_job


def enqueue_pipeline_run(
    runtime: JobRuntime,
    celery: Celery,
    target: RunTarget,
    *,
    context: dict[str, Any],
    triggered_by: TriggeredBy = TriggeredBy.API,
    schedule_id: str | None = None,
) -> JobRecord:
    """A queued job, committed before its message is published (a lost message is re-sent by the sweep)."""
    job = service.create_pipeline_job(
        runtime.db,
        target.definition,
        context=context,
        pipeline_id=target.pipeline_id,
        revision=target.revision,
        triggered_by=triggered_by,
        schedule_id=schedule_id,
        request_id=current_request_id(),
    )
    publish_pipeline_job(celery, job.id)
    metrics.job_enqueued(job.pipeline_name, triggered_by.value)
    return job


def run_pipeline_now(
    runtime: JobRuntime,
    target: RunTarget,
    *,
    context: dict[str, Any],
    triggered_by: TriggeredBy = TriggeredBy.API,
) -> JobRecord:
    """Run the pipeline in this process, recorded as a job like any other; returns the finished job."""
    job = service.create_pipeline_job(
        runtime.db,
        target.definition,
        context=context,
        pipeline_id=target.pipeline_id,
        revision=target.revision,
        triggered_by=triggered_by,
        request_id=current_request_id(),
    )
    worker_id = f"api:{socket.gethostname()}:{os.getpid()}"
    claim = service.claim_job(runtime.db, job.id, worker_id, runtime.lease_seconds)
    if claim is None:  # cannot happen unless the row vanished under us
        raise MimirError(f"job {job.id} could not be started")
    run_claimed_job(runtime, claim.job, claim.lease)
    return service.get_job(runtime.db, job.id)
