"""Tools of the scheduling slice: the cron schedules (beat fires them; creating them stays on the API)."""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import Context

from backend.api.paging import PageQuerySchema
from backend.api.scheduler import schedule_body
from backend.api.scheduler_schemas import SchedulePageSchema
from mcp_server.catalog import mimir_tool
from mcp_server.door import door_of, load
from mcp_server.tools.common import Page, PageSize, page_bounds, page_of
from shared.scheduling import service as schedules
from shared.scheduling.permissions import SCHEDULER_READ


@mimir_tool(SCHEDULER_READ, mirrors="GET /api/v1/scheduler/jobs")
async def list_schedules(ctx: Context, page: Page = 1, page_size: PageSize = 20) -> dict[str, Any]:
    """List cron schedules by name: what each runs, its cron and timezone, whether it is enabled, its next
    fire time and its latest run's status."""
    door = door_of(ctx)
    query = load(PageQuerySchema(), {"page": page, "page_size": page_size})

    def list_page() -> dict[str, Any]:
        limit, offset = page_bounds(door, query)
        views, total = schedules.list_schedules(door.services.db, limit=limit, offset=offset)
        return page_of(SchedulePageSchema, [schedule_body(v) for v in views], total, query, limit)

    return await door.call(list_page)
