"""Tools of the jobs slice: enqueue any installed kind, get, wait for, cancel and list jobs, read logs."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from backend.access import RouteGroup
from backend.api.job_logs import JobLogsSchema
from backend.api.queue import enqueued
from backend.api.schemas import (
    EnqueuedSchema,
    JobCreateSchema,
    JobDetailSchema,
    JobListQuerySchema,
    JobPageSchema,
    JobSchema,
)
from mcp_server.catalog import mimir_tool
from mcp_server.door import door_of, load, refuse
from mcp_server.tools.common import Context_, JobId, Page, PageSize, page_bounds, page_of
from shared.errors import InvalidInput
from shared.jobs import enqueue as queueing
from shared.jobs import service as jobs
from shared.jobs.logs import MAX_LINES_PER_ATTEMPT, MAX_MESSAGE_CHARS, job_log_lines
from shared.jobs.permissions import JOBS_CANCEL, JOBS_CREATE, JOBS_READ
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus

DEFAULT_WAIT_SECONDS = 30.0


@mimir_tool(JOBS_CREATE, group=RouteGroup.ENQUEUE, mirrors="POST /api/v1/queue/jobs")
async def enqueue_job(
    ctx: Context,
    kind: Annotated[str, Field(description="an installed job kind that takes a spec, e.g. digital_twin")],
    spec: Annotated[dict[str, Any] | None, Field(description="the kind's spec (a JSON object)")] = None,
    context: Context_ = None,
) -> dict[str, Any]:
    """Queue a job of any installed kind that takes a spec (pipelines: use enqueue_pipeline); returns at
    once with the job id."""
    door = door_of(ctx)
    body = load(JobCreateSchema(), {"kind": kind, "spec": spec, "context": context})

    def enqueue() -> dict[str, Any]:
        svc = door.services
        job_kind = svc.jobs.kinds.get(body["kind"])
        if job_kind.check_spec is None:
            raise InvalidInput.at("kind", f"jobs of kind {job_kind.name!r} are not created from a spec here")
        request = JobRequest(
            kind=job_kind.name, spec=job_kind.check_spec(body["spec"]), context=body["context"]
        )
        dumped: dict[str, Any] = EnqueuedSchema().dump(
            enqueued(queueing.enqueue_job(svc.jobs, svc.celery, request))
        )
        return dumped

    return await door.call(enqueue)


@mimir_tool(JOBS_READ, mirrors="GET /api/v1/queue/jobs/{job_id}")
async def get_job(ctx: Context, job_id: JobId) -> dict[str, Any]:
    """A job: its status, progress, per-step records, input and (once finished) output or error, and its
    spec (a pipeline job's: the definition it runs)."""
    door = door_of(ctx)

    def get() -> dict[str, Any]:
        dumped: dict[str, Any] = JobDetailSchema().dump(jobs.get_job(door.services.db, job_id))
        return dumped

    return await door.call(get)


@mimir_tool(JOBS_READ, mirrors="GET /api/v1/queue/jobs/{job_id}/wait")
async def wait_for_job(
    ctx: Context,
    job_id: JobId,
    timeout_seconds: Annotated[
        float, Field(description="how long to wait at most (capped by server.max_wait_seconds)")
    ] = DEFAULT_WAIT_SECONDS,
) -> dict[str, Any]:
    """Wait until a job is finished (succeeded, failed or cancelled) and return it with its output; after
    timeout_seconds, return it as it stands (call again to keep waiting)."""
    door = door_of(ctx)
    cap = door.services.settings.max_wait_seconds
    if not 0 <= timeout_seconds <= cap:
        raise refuse(f"timeout_seconds: between 0 and {cap:g}")
    job = await door.wait_for_job(job_id, timeout_seconds)
    dumped: dict[str, Any] = JobSchema().dump(job)
    return dumped


@mimir_tool(JOBS_CANCEL, mirrors="POST /api/v1/queue/jobs/{job_id}/cancel")
async def cancel_job(ctx: Context, job_id: JobId) -> dict[str, Any]:
    """Cancel a queued job, or stop a running one before its next step (within about a second)."""
    door = door_of(ctx)

    def cancel_now() -> dict[str, Any]:
        dumped: dict[str, Any] = JobSchema().dump(queueing.cancel(door.services.jobs, job_id))
        return dumped

    return await door.call(cancel_now)


@mimir_tool(JOBS_READ, mirrors="GET /api/v1/queue/jobs")
async def list_jobs(
    ctx: Context,
    status: Annotated[
        str | None, Field(description="queued, running, succeeded, failed or cancelled")
    ] = None,
    kind: Annotated[str | None, Field(description="a job kind, e.g. pipeline")] = None,
    pipeline_id: Annotated[str | None, Field(description="only runs of this stored pipeline")] = None,
    triggered_by: Annotated[str | None, Field(description="api, scheduler or manual")] = None,
    page: Page = 1,
    page_size: PageSize = 20,
) -> dict[str, Any]:
    """List jobs, newest first, filtered (a summary each: status, label, times; get_job has the rest)."""
    door = door_of(ctx)
    query = load(
        JobListQuerySchema(),
        {
            "status": status,
            "kind": kind,
            "pipeline_id": pipeline_id,
            "triggered_by": triggered_by,
            "page": page,
            "page_size": page_size,
        },
    )

    def list_page() -> dict[str, Any]:
        svc = door.services
        limit, offset = page_bounds(door, query)
        items, total = jobs.list_jobs(
            svc.db,
            status=JobStatus(query["status"]) if "status" in query else None,
            kind=svc.jobs.kinds.get(query["kind"]).name if "kind" in query else None,
            pipeline_id=query.get("pipeline_id"),
            triggered_by=query.get("triggered_by"),
            limit=limit,
            offset=offset,
        )
        return page_of(JobPageSchema, items, total, query, limit)

    return await door.call(list_page)


@mimir_tool(JOBS_READ, mirrors="GET /api/v1/queue/jobs/{job_id}/logs")
async def get_job_logs(ctx: Context, job_id: JobId) -> dict[str, Any]:
    """A job's log, attempt by attempt: steps started, finished and failed, and what plugins logged."""
    door = door_of(ctx)

    def read() -> dict[str, Any]:
        lines = job_log_lines(door.services.db, job_id)
        body = {
            "job_id": job_id,
            "lines": lines,
            "max_lines_per_attempt": MAX_LINES_PER_ATTEMPT,
            "max_message_chars": MAX_MESSAGE_CHARS,
        }
        dumped: dict[str, Any] = JobLogsSchema().dump(body)
        return dumped

    return await door.call(read)
