"""``/api/v1/queue``: enqueue, job status, wait, cancel, list, installed kinds, queue status."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint

from backend import long_requests
from backend.access import RouteGroup, requires
from backend.api.job_bodies import enqueued_body, job_body
from backend.api.lean_views import Fallback, json_answer, lean_view
from backend.api.paging import page_body, page_bounds
from backend.api.run_targets import requested_batch_target, requested_target
from backend.api.schemas import (
    WAIT_DEFAULT,
    WAIT_TIMEOUT_CHARS,
    EnqueueBatchSchema,
    EnqueuedBatchSchema,
    EnqueuedSchema,
    JobCreateSchema,
    JobDetailSchema,
    JobKindSchema,
    JobListQuerySchema,
    JobPageSchema,
    JobSchema,
    QueueStatusSchema,
    RunRequestSchema,
    WaitQuerySchema,
)
from backend.auth import gatekeeper
from backend.client_socket import client_has_left
from backend.services import services
from shared.durations import parse_duration
from shared.errors import InvalidInput
from shared.jobs import service as jobs
from shared.jobs.enqueue import cancel, enqueue_job, enqueue_jobs
from shared.jobs.permissions import JOBS_CANCEL, JOBS_CREATE, JOBS_READ
from shared.jobs.records import JobRecord
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus
from shared.pipelines.permissions import PIPELINES_EXECUTE
from shared.queue.status import queue_status

CLIENT_CLOSED_REQUEST = 499
blp = Blueprint("queue", __name__, url_prefix="/api/v1/queue", description="Asynchronous jobs")
# The per-job endpoints take schema instances: given a class, webargs builds a schema on every request
# (about 0.3 ms of CPU each time).


def _enqueue_run(body: dict[str, Any]) -> JobRecord:
    svc = services()
    return enqueue_job(svc.runtime, svc.celery, requested_target(body).job_request(body["context"]))


RUN_REQUEST = RunRequestSchema()


@blp.route("/pipelines/enqueue")
class EnqueuePipeline(MethodView):
    @requires(PIPELINES_EXECUTE, group=RouteGroup.ENQUEUE)
    @blp.arguments(RUN_REQUEST)
    @blp.response(202, EnqueuedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue a pipeline run for the workers; returns at once with the job id."""
        return enqueued(_enqueue_run(body))

    # Served without webargs and marshmallow's dump (backend/api/lean_views.py), documented as above.
    post = lean_view(
        post, lambda body: json_answer(enqueued_body(_enqueue_run(body)), 202), body_schema=RUN_REQUEST
    )


@blp.route("/pipelines/enqueue-batch")
class EnqueuePipelineBatch(MethodView):
    @requires(PIPELINES_EXECUTE, group=RouteGroup.ENQUEUE)
    @blp.arguments(EnqueueBatchSchema())
    @blp.response(202, EnqueuedBatchSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue up to 1,000 runs of one pipeline, one per context, committed in one transaction and
        published together; returns at once with the job ids in the order of the contexts."""
        refusal = _charge_batch(len(body["contexts"]))
        if refusal is not None:
            return refusal  # type: ignore[return-value]
        svc = services()
        target = requested_batch_target(body)
        jobs = enqueue_jobs(svc.runtime, svc.celery, [target.job_request(c) for c in body["contexts"]])
        return {
            "job_ids": [job.id for job in jobs],
            "count": len(jobs),
            "kind": jobs[0].kind,
            "status": jobs[0].status,
            "pipeline_name": jobs[0].pipeline_name,
            "created_at": jobs[0].created_at,
        }


def _charge_batch(runs: int) -> tuple[Response, int] | None:
    """Count a batch's runs against the enqueue rate limit, one per run (the request counted the first),
    so batches cannot carry more runs than single enqueues could; None, or the 429 to answer."""
    keeper = gatekeeper()
    most = keeper.limiter.most_per_window(RouteGroup.ENQUEUE)
    if runs > most:
        raise InvalidInput.at(
            "contexts",
            f"{runs} runs are more than the enqueue rate limit lets one key start in a window ({most});"
            f" send at most {most} per batch",
        )
    return keeper.charge_more(RouteGroup.ENQUEUE, runs - 1)


def enqueued(job: JobRecord) -> dict[str, Any]:
    """The 202 body of an accepted job."""
    return {
        "job_id": job.id,
        "kind": job.kind,
        "status": job.status,
        "pipeline_name": job.pipeline_name,
        "created_at": job.created_at,
    }


@blp.route("/jobs")
class Jobs(MethodView):
    @requires(JOBS_READ)
    @blp.arguments(JobListQuerySchema, location="query")
    @blp.response(200, JobPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List jobs, newest first, filtered by status, kind, pipeline and what triggered them."""
        svc = services()
        limit, offset = page_bounds(query)
        status = JobStatus(query["status"]) if "status" in query else None
        kind = svc.runtime.kinds.get(query["kind"]).name if "kind" in query else None  # 422 names the kinds
        items, total = jobs.list_jobs(
            svc.db,
            status=status,
            kind=kind,
            pipeline_id=query.get("pipeline_id"),
            triggered_by=query.get("triggered_by"),
            limit=limit,
            offset=offset,
        )
        return page_body(items, total, query, limit)

    @requires(JOBS_CREATE, group=RouteGroup.ENQUEUE)
    @blp.arguments(JobCreateSchema())
    @blp.response(202, EnqueuedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue a job of any kind that takes a spec (e.g. a twin simulation); pipelines are queued through
        ``/queue/pipelines/enqueue``."""
        svc = services()
        kind = svc.runtime.kinds.get(body["kind"])
        if kind.check_spec is None:
            raise InvalidInput.at("kind", f"jobs of kind {kind.name!r} are not created from a spec here")
        request = JobRequest(kind=kind.name, spec=kind.check_spec(body["spec"]), context=body["context"])
        return enqueued(enqueue_job(svc.runtime, svc.celery, request))


@blp.route("/jobs/<job_id>")
class JobById(MethodView):
    @requires(JOBS_READ)
    @blp.response(200, JobDetailSchema)
    def get(self, job_id: str) -> Any:
        """Get a job, with its spec (a pipeline job's: the definition it runs)."""
        return jobs.get_job(services().db, job_id)


def _wait_for(job_id: str, timeout_text: str) -> JobRecord | Response:
    svc = services()
    timeout = parse_duration(timeout_text, name="timeout")
    if timeout > svc.settings.max_wait_seconds:
        raise InvalidInput(f"timeout: at most {svc.settings.max_wait_seconds:g}s")
    has_left = client_has_left(request.environ)
    long_requests.setup_done()
    job = svc.waiter.wait(svc.db, job_id, timeout, should_stop=has_left)
    if has_left():  # nobody to answer: skip serialising the job (nginx's 499, in the metrics too)
        return Response(status=CLIENT_CLOSED_REQUEST)
    return job


def _lean_wait(job_id: str) -> Response:
    # WaitQuerySchema: ``timeout`` of 1 to 32 characters, "30s" when absent, other parameters ignored.
    timeout_text = request.args.get("timeout", WAIT_DEFAULT)
    if not 1 <= len(timeout_text) <= WAIT_TIMEOUT_CHARS:
        raise Fallback
    job = _wait_for(job_id, timeout_text)
    return job if isinstance(job, Response) else json_answer(job_body(job), 200)


@blp.route("/jobs/<job_id>/wait")
class WaitForJob(MethodView):
    @requires(JOBS_READ)
    @blp.arguments(WaitQuerySchema(), location="query")
    @blp.response(200, JobSchema)
    def get(self, query: dict[str, Any], job_id: str) -> Any:
        """Return the job as soon as it is finished, or as it stands when the timeout passes."""
        return _wait_for(job_id, query["timeout"])

    get = lean_view(get, _lean_wait)


@blp.route("/jobs/<job_id>/cancel")
class CancelJob(MethodView):
    @requires(JOBS_CANCEL)
    @blp.response(200, JobSchema)
    def post(self, job_id: str) -> Any:
        """Cancel a queued job, or stop a running one before its next step."""
        return cancel(services().runtime, job_id)


@blp.route("/kinds")
class JobKinds(MethodView):
    @requires(JOBS_READ)
    @blp.response(200, JobKindSchema(many=True))
    def get(self) -> Any:
        """The installed job kinds, by name: what each runs, its queue, and how a job of it is made."""
        return services().runtime.kinds.by_name()


@blp.route("/status")
class QueueStatus(MethodView):
    @requires(JOBS_READ)
    @blp.response(200, QueueStatusSchema)
    def get(self) -> dict[str, Any]:
        """Jobs by status, workers online and broker queue lengths."""
        svc = services()
        return queue_status(svc.db, svc.redis, svc.runtime.kinds.queues)
