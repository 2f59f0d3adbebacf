"""The job task: unpack the job id, call the job runner (the same task for every kind; each kind's
messages travel on its own queue)."""

from __future__ import annotations

from celery import shared_task

from shared.jobs.runner import execute_job
from shared.observability.context import log_context
from shared.queue.celery_app import RUN_JOB, RUN_PIPELINE_JOB
from worker.runtime import worker_runtime
from worker.tasks.base import MimirTask


def _run(task: MimirTask, job_id: str) -> str | None:
    runtime = worker_runtime(task.app)
    with log_context(job_id=job_id):  # the request id joins once the job row is read
        status = execute_job(runtime.jobs, job_id, runtime.worker_id)
    return status.value if status else None


@shared_task(name=RUN_JOB, bind=True, base=MimirTask)
def run_job(self: MimirTask, job_id: str) -> str | None:
    """Run the job if no other worker holds it; returns the terminal status, or None if skipped."""
    return _run(self, job_id)


@shared_task(name=RUN_PIPELINE_JOB, bind=True, base=MimirTask)
def run_pipeline_job(self: MimirTask, job_id: str) -> str | None:
    """The task's name before job kinds, for messages published by an older version."""
    return _run(self, job_id)
