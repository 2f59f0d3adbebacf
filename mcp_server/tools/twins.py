"""Tools of the twins slice: running a stored scenario of a digital twin (a job of kind digital_twin)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from backend.access import RouteGroup
from backend.api.queue import enqueued
from backend.api.schemas import EnqueuedSchema
from backend.api.twin_schemas import RunScenarioSchema
from mcp_server.catalog import mimir_tool
from mcp_server.door import door_of, load
from mcp_server.tools.common import Context_
from shared.jobs.enqueue import enqueue_job
from shared.twins.job_kind import twin_job_request
from shared.twins.permissions import TWINS_WRITE


@mimir_tool(
    TWINS_WRITE, group=RouteGroup.ENQUEUE, mirrors="POST /api/v1/twins/{twin_id}/scenarios/{scenario_id}/run"
)
async def run_twin_scenario(
    ctx: Context,
    twin_id: Annotated[str, Field(description="the digital twin's id")],
    scenario_id: Annotated[str, Field(description="one of the twin's stored scenarios")],
    context: Context_ = None,
) -> dict[str, Any]:
    """Queue a simulation of a twin's stored scenario; returns at once with the job id. wait_for_job gives
    the run's findings (bottlenecks, stability, recommendations) in its output."""
    door = door_of(ctx)
    body = load(RunScenarioSchema(), {"context": context})

    def enqueue() -> dict[str, Any]:
        svc = door.services
        request = twin_job_request(svc.db, twin_id, scenario_id=scenario_id, context=body["context"])
        dumped: dict[str, Any] = EnqueuedSchema().dump(enqueued(enqueue_job(svc.jobs, svc.celery, request)))
        return dumped

    return await door.call(enqueue)
