"""The MCP server object: every declared tool, the access middleware, and the door as the lifespan
context (built once per process by the transport, so a stateless HTTP request costs no wiring)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from mcp.server import MCPServer
from mcp_types import ToolAnnotations

from mcp_server.access import AccessMiddleware
from mcp_server.catalog import tool_definitions
from mcp_server.door import Door

INSTRUCTIONS = (
    "Mimir AIP runs YAML pipelines of plugin steps (and other job kinds, e.g. digital-twin simulations) on "
    "background workers. Typical use: list_pipelines or validate_pipeline, then enqueue_pipeline (by name, "
    "id or inline YAML, with a context of inputs), then wait_for_job until it is succeeded or failed, and "
    "get_job / get_job_logs for its output and log. Jobs of other kinds go through enqueue_job."
)


def build_server(door: Door | None) -> MCPServer[Any]:
    """The server with every tool; ``door`` None builds it only to describe the tools (``tools/list``)."""

    @asynccontextmanager
    async def lifespan(_: MCPServer[Any]) -> AsyncIterator[Door | None]:
        yield door  # the transport owns the door: opened before serving, closed after

    server: MCPServer[Any] = MCPServer(
        "mimir",
        title="Mimir AIP",
        instructions=INSTRUCTIONS,
        lifespan=lifespan,
        middleware=[AccessMiddleware()],
        log_level="WARNING",
    )
    for definition in tool_definitions():
        access = definition.access
        server.add_tool(
            definition.fn,
            annotations=ToolAnnotations(
                read_only_hint=access.is_read_only, destructive_hint=False, open_world_hint=False
            ),
            meta={"mimir/permission": access.permission.name, "mimir/mirrors": access.mirrors},
        )
    return server
