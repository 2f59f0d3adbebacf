"""The tools, each declared once with the permission and rate-limit group of the HTTP endpoint it mirrors.

``@mimir_tool(JOBS_READ, mirrors="GET /api/v1/queue/jobs/{job_id}")`` on an async function whose first
parameter is the SDK's ``Context``: the function's signature is the tool's input schema, its docstring the
description. ``tests/mcp_server`` checks each declaration against the mirrored endpoint's, so a tool can
never be more open than its HTTP twin.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from importlib import import_module
from typing import Any, TypeVar

from backend.access import RouteGroup
from shared.security.permissions import Permission

F = TypeVar("F", bound=Callable[..., Coroutine[Any, Any, Any]])

# The modules holding tools, one per slice they serve.
TOOL_MODULES = (
    "mcp_server.tools.pipelines",
    "mcp_server.tools.jobs",
    "mcp_server.tools.schedules",
    "mcp_server.tools.twins",
    "mcp_server.tools.vectors",
)


@dataclass(frozen=True)
class ToolAccess:
    """What calling a tool needs, as its HTTP twin: a permission, counted in a rate-limit group."""

    permission: Permission
    group: RouteGroup
    mirrors: str  # "METHOD /api/v1/path", the endpoint whose declaration this repeats

    @property
    def is_read_only(self) -> bool:
        """Whether the tool only reads (MCP's ``readOnlyHint``)."""
        return self.group is RouteGroup.READS


@dataclass(frozen=True)
class ToolDefinition:
    """A declared tool: its function and access."""

    fn: Callable[..., Coroutine[Any, Any, Any]]
    access: ToolAccess

    @property
    def name(self) -> str:
        return self.fn.__name__


_DECLARED: dict[str, ToolDefinition] = {}


def mimir_tool(permission: Permission, *, mirrors: str, group: RouteGroup | None = None) -> Callable[[F], F]:
    """Declare a tool needing ``permission`` (reads count as ``reads``, others as ``writes``, like
    ``backend.access.requires``)."""
    chosen = group or (RouteGroup.READS if permission.name.endswith(":read") else RouteGroup.WRITES)

    def declare(fn: F) -> F:
        if fn.__name__ in _DECLARED and _DECLARED[fn.__name__].fn is not fn:
            raise ValueError(f"MCP tool {fn.__name__!r} is declared twice")
        _DECLARED[fn.__name__] = ToolDefinition(fn, ToolAccess(permission, chosen, mirrors))
        return fn

    return declare


def tool_definitions() -> list[ToolDefinition]:
    """Every declared tool, in the order of :data:`TOOL_MODULES` and of each module."""
    for module in TOOL_MODULES:
        import_module(module)
    return list(_DECLARED.values())


def access_of_tool(name: str) -> ToolAccess | None:
    """What calling tool ``name`` needs (None for a name no tool has)."""
    definition = _DECLARED.get(name)
    return definition.access if definition else None


@dataclass(frozen=True)
class ToolDescription:
    """What a client (the web UI's MCP page) is told about a tool: the same name, description and input
    schema as ``tools/list`` gives, and what calling it needs."""

    name: str
    description: str
    permission: Permission
    mirrors: str
    is_read_only: bool
    input_schema: dict[str, Any]


def describe_tools() -> list[ToolDescription]:
    """Every tool as the SDK lists it (its input schema from the function's signature)."""
    from mcp.server.mcpserver.tools.base import Tool

    described = []
    for definition in tool_definitions():
        tool = Tool.from_function(definition.fn)
        described.append(
            ToolDescription(
                name=tool.name,
                description=tool.description,
                permission=definition.access.permission,
                mirrors=definition.access.mirrors,
                is_read_only=definition.access.is_read_only,
                input_schema=tool.parameters,
            )
        )
    return described
