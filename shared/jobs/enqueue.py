"""Starting jobs of any kind: enqueue for the workers, or run here and now (the synchronous execute)."""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence

from celery import Celery

from shared.errors import MimirError
from shared.jobs import service
from shared.jobs.records import JobRecord
from shared.jobs.runner import JobRuntime, run_claimed_job
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus, TriggeredBy
from shared.observability import metrics
from shared.observability.context import current_request_id
from shared.queue.dispatch import publish_job, publish_jobs


def enqueue_job(
    runtime: JobRuntime,
    celery: Celery,
    request: JobRequest,
    *,
    triggered_by: TriggeredBy = TriggeredBy.API,
    schedule_id: str | None = None,
) -> JobRecord:
    """A queued job, committed before its message goes to its kind's queue (a lost message is re-sent by
    the sweep); :class:`shared.jobs.kinds.UnknownJobKind` if no slice installs the kind."""
    kind = runtime.kinds.get(request.kind)
    job = service.create_job(
        runtime.db,
        kind,
        request,
        triggered_by=triggered_by,
        schedule_id=schedule_id,
        request_id=current_request_id(),
    )
    publish_job(celery, job.id, kind.queue)
    metrics.job_enqueued(job.pipeline_name, triggered_by.value)
    return job


def enqueue_jobs(runtime: JobRuntime, celery: Celery, requests: Sequence[JobRequest]) -> list[JobRecord]:
    """Queued jobs of one kind, committed together in one transaction, then published together in one
    round trip to the broker (jobs it did not take stay queued for the sweep)."""
    if not requests:
        return []
    kind = runtime.kinds.get(requests[0].kind)
    jobs = service.create_jobs(runtime.db, kind, requests, request_id=current_request_id())
    publish_jobs(celery, [(job.id, kind.queue) for job in jobs])
    for job in jobs:
        metrics.job_enqueued(job.pipeline_name, TriggeredBy.API.value)
    return jobs


def run_job_now(
    runtime: JobRuntime, request: JobRequest, *, triggered_by: TriggeredBy = TriggeredBy.API
) -> JobRecord:
    """Run the job in this process, recorded as a job like any other; returns the finished job."""
    job = service.create_job(
        runtime.db,
        runtime.kinds.get(request.kind),
        request,
        triggered_by=triggered_by,
        request_id=current_request_id(),
    )
    worker_id = f"api:{socket.gethostname()}:{os.getpid()}"
    claim = service.claim_job(runtime.db, job.id, worker_id, runtime.lease_seconds)
    if claim is None:  # cannot happen unless the row vanished under us
        raise MimirError(f"job {job.id} could not be started")
    run_claimed_job(runtime, claim.job, claim.lease)
    return service.get_job(runtime.db, job.id)


def cancel(runtime: JobRuntime, job_id: str) -> JobRecord:
    """Cancel a queued job at once (waiters are told at once), or ask a running one to stop before its next
    step (its worker tells them when it stops)."""
    job = service.cancel_job(runtime.db, job_id)
    if job.status == JobStatus.CANCELLED.value and runtime.on_finished is not None:
        runtime.on_finished(job.id, JobStatus.CANCELLED, None)
    return job
