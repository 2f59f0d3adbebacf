"""``/api/v1/queue``: enqueue, job status, wait, cancel, list, queue status."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.access import RouteGroup, requires
from backend.api.paging import page_bounds
from backend.api.schemas import (
    EnqueuedSchema,
    JobDetailSchema,
    JobListQuerySchema,
    JobPageSchema,
    JobSchema,
    QueueStatusSchema,
    RunRequestSchema,
    WaitQuerySchema,
)
from backend.services import services
from shared.durations import parse_duration
from shared.errors import InvalidInput
from shared.jobs import service as jobs
from shared.jobs.enqueue import enqueue_pipeline_run
from shared.jobs.status import JobStatus
from shared.jobs.targets import RunRequest, resolve_run_target
from shared.queue.status import queue_status
from shared.security.permissions import Permission

blp = Blueprint("queue", __name__, url_prefix="/api/v1/queue", description="Asynchronous jobs")


@blp.route("/pipelines/enqueue")
class EnqueuePipeline(MethodView):
    @requires(Permission.PIPELINES_EXECUTE, group=RouteGroup.ENQUEUE)
    @blp.arguments(RunRequestSchema)
    @blp.response(202, EnqueuedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue a pipeline run for the workers; returns at once with the job id."""
        svc = services()
        target = resolve_run_target(
            svc.db,
            svc.runtime.registry,
            RunRequest(**body),
            pipelines_dir=svc.settings.resolved_pipelines_dir,
        )
        job = enqueue_pipeline_run(svc.runtime, svc.celery, target, context=body["context"])
        return {
            "job_id": job.id,
            "status": job.status,
            "pipeline_name": job.pipeline_name,
            "created_at": job.created_at,
        }


@blp.route("/jobs")
class Jobs(MethodView):
    @requires(Permission.JOBS_READ)
    @blp.arguments(JobListQuerySchema, location="query")
    @blp.response(200, JobPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List jobs, newest first, filtered by status, pipeline and what triggered them."""
        limit, offset = page_bounds(query)
        status = JobStatus(query["status"]) if "status" in query else None
        items, total = jobs.list_jobs(
            services().db,
            status=status,
            pipeline_id=query.get("pipeline_id"),
            triggered_by=query.get("triggered_by"),
            limit=limit,
            offset=offset,
        )
        return {"items": items, "total": total, "page": query["page"], "page_size": limit}


@blp.route("/jobs/<job_id>")
class JobById(MethodView):
    @requires(Permission.JOBS_READ)
    @blp.response(200, JobDetailSchema)
    def get(self, job_id: str) -> Any:
        """Get a job, with the definition it runs."""
        return jobs.get_job(services().db, job_id)


@blp.route("/jobs/<job_id>/wait")
class WaitForJob(MethodView):
    @requires(Permission.JOBS_READ)
    @blp.arguments(WaitQuerySchema, location="query")
    @blp.response(200, JobSchema)
    def get(self, query: dict[str, Any], job_id: str) -> Any:
        """Return the job as soon as it is finished, or as it stands when the timeout passes."""
        svc = services()
        timeout = parse_duration(query["timeout"], name="timeout")
        if timeout > svc.settings.max_wait_seconds:
            raise InvalidInput(f"timeout: at most {svc.settings.max_wait_seconds:g}s")
        return svc.waiter.wait(svc.db, job_id, timeout)


@blp.route("/jobs/<job_id>/cancel")
class CancelJob(MethodView):
    @requires(Permission.JOBS_CANCEL)
    @blp.response(200, JobSchema)
    def post(self, job_id: str) -> Any:
        """Cancel a queued job, or stop a running one before its next step."""
        svc = services()
        job = jobs.cancel_job(svc.db, job_id)
        if job.status == JobStatus.CANCELLED.value and svc.runtime.on_finished is not None:
            svc.runtime.on_finished(job.id, JobStatus.CANCELLED)
        return job


@blp.route("/status")
class QueueStatus(MethodView):
    @requires(Permission.JOBS_READ)
    @blp.response(200, QueueStatusSchema)
    def get(self) -> dict[str, Any]:
        """Jobs by status, workers online and broker queue lengths."""
        svc = services()
        return queue_status(svc.db, svc.redis)
