"""Tools of the pipelines slice: stored pipelines, checking YAML, enqueueing runs, the step plugins."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from backend.access import RouteGroup
from backend.api.paging import PageQuerySchema
from backend.api.pipeline_drafts import DraftResultSchema, DraftSchema
from backend.api.plugins import PluginSchema
from backend.api.queue import enqueued
from backend.api.schemas import EnqueuedSchema, PipelinePageSchema, PipelineSchema, RunRequestSchema
from mcp_server.catalog import mimir_tool
from mcp_server.door import door_of, load, refuse
from mcp_server.tools.common import Context_, Page, PageSize, page_bounds, page_of
from shared.errors import NotFound
from shared.jobs.enqueue import enqueue_job
from shared.jobs.targets import RunRequest, resolve_run_target
from shared.pipelines import service as pipelines
from shared.pipelines.drafts import check_draft
from shared.pipelines.permissions import PIPELINES_EXECUTE, PIPELINES_READ, PLUGINS_READ

PipelineName = Annotated[str | None, Field(description="a stored pipeline's name")]
PipelineId = Annotated[str | None, Field(description="a stored pipeline's id")]
PipelineYaml = Annotated[str | None, Field(description="a pipeline as YAML text (name, steps, ...)")]
PipelineFile = Annotated[
    str | None, Field(description="a pipeline file in the server's pipelines directory (relative path)")
]


@mimir_tool(PIPELINES_READ, mirrors="GET /api/v1/pipelines")
async def list_pipelines(ctx: Context, page: Page = 1, page_size: PageSize = 20) -> dict[str, Any]:
    """List stored pipelines by name (with each one's definition), a page at a time."""
    door = door_of(ctx)
    query = load(PageQuerySchema(), {"page": page, "page_size": page_size})

    def list_page() -> dict[str, Any]:
        limit, offset = page_bounds(door, query)
        items, total = pipelines.list_pipelines(door.services.db, limit=limit, offset=offset)
        return page_of(PipelinePageSchema, items, total, query, limit)

    return await door.call(list_page)


@mimir_tool(PIPELINES_READ, mirrors="GET /api/v1/pipelines/{pipeline_id}")
async def get_pipeline(
    ctx: Context, pipeline_id: PipelineId = None, pipeline_name: PipelineName = None
) -> dict[str, Any]:
    """Get one stored pipeline (its definition, YAML source, revision), by id or by name."""
    door = door_of(ctx)
    if (pipeline_id is None) == (pipeline_name is None):
        raise refuse("give exactly one of pipeline_id or pipeline_name")

    def get() -> dict[str, Any]:
        db = door.services.db
        record = (
            pipelines.get_pipeline(db, pipeline_id)
            if pipeline_id is not None
            else pipelines.get_pipeline_by_name(db, str(pipeline_name))
        )
        dumped: dict[str, Any] = PipelineSchema().dump(record)
        return dumped

    return await door.call(get)


@mimir_tool(PIPELINES_READ, mirrors="POST /api/v1/pipelines/validate")
async def validate_pipeline(
    ctx: Context,
    pipeline_yaml: Annotated[str, Field(description="the pipeline YAML to check")],
    context_keys: Annotated[
        list[str] | None, Field(description="names of the context inputs the run will supply")
    ] = None,
) -> dict[str, Any]:
    """Check pipeline YAML against the installed plugins without storing it: whether it is valid, and each
    problem with its path in the pipeline and its line and column in the text."""
    door = door_of(ctx)
    body = load(DraftSchema(), {"pipeline_yaml": pipeline_yaml, "context_keys": context_keys})

    def check() -> dict[str, Any]:
        result = check_draft(body["pipeline_yaml"], door.services.jobs.registry, body["context_keys"])
        dumped: dict[str, Any] = DraftResultSchema().dump(result)
        return dumped

    return await door.call(check)


@mimir_tool(PIPELINES_EXECUTE, group=RouteGroup.ENQUEUE, mirrors="POST /api/v1/queue/pipelines/enqueue")
async def enqueue_pipeline(
    ctx: Context,
    pipeline_name: PipelineName = None,
    pipeline_id: PipelineId = None,
    pipeline_yaml: PipelineYaml = None,
    pipeline_file: PipelineFile = None,
    context: Context_ = None,
) -> dict[str, Any]:
    """Queue a run of a pipeline for the workers (give exactly one of pipeline_name, pipeline_id,
    pipeline_yaml or pipeline_file) with its input context; returns at once with the job id. Follow it with
    wait_for_job, get_job and get_job_logs."""
    door = door_of(ctx)
    body = load(
        RunRequestSchema(),
        {
            "pipeline_name": pipeline_name,
            "pipeline_id": pipeline_id,
            "pipeline_yaml": pipeline_yaml,
            "pipeline_file": pipeline_file,
            "context": context,
        },
    )

    def enqueue() -> dict[str, Any]:
        svc = door.services
        target = resolve_run_target(
            svc.db, svc.jobs.registry, RunRequest(**body), pipelines_dir=svc.settings.resolved_pipelines_dir
        )
        job = enqueue_job(svc.jobs, svc.celery, target.job_request(body["context"]))
        dumped: dict[str, Any] = EnqueuedSchema().dump(enqueued(job))
        return dumped

    return await door.call(enqueue)


@mimir_tool(PLUGINS_READ, mirrors="GET /api/v1/plugins")
async def list_plugins(
    ctx: Context,
    plugin_type: Annotated[
        str | None, Field(description="only this type: Input, Data_Processing, AI_Models, Output, Utility...")
    ] = None,
) -> dict[str, Any]:
    """The installed step plugins a pipeline may use, each with the JSON Schema of its config."""
    door = door_of(ctx)

    def describe() -> dict[str, Any]:
        registry = door.services.jobs.registry
        found = [p.describe() for p in registry.all() if plugin_type is None or p.type == plugin_type]
        if not found:
            raise NotFound(f"no plugins of type {plugin_type!r}")
        return {"plugins": PluginSchema(many=True).dump(found)}

    return await door.call(describe)
