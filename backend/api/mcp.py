"""``/api/v1/mcp``: what the MCP server offers and how to connect to it (the web UI's MCP page). The tools
are described from their definitions in ``mcp_server``, the one source of ``tools/list``."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.access import requires
from backend.auth import current_principal
from backend.services import services
from shared.mcp.permissions import MCP_READ
from shared.mcp.settings import MCP_PATH, McpSettings
from shared.security.permissions import role_allows

if TYPE_CHECKING:
    from mcp_server.catalog import ToolDescription

blp = Blueprint("mcp", __name__, url_prefix="/api/v1/mcp", description="The MCP server for AI assistants")
blueprints = (blp,)


class McpToolSchema(Schema):
    """One tool: its name, description and input schema (as ``tools/list`` gives them), the permission it
    needs (that of the HTTP endpoint it mirrors) and whether the calling key holds it."""

    name = fields.String()
    description = fields.String()
    permission = fields.String()
    mirrors = fields.String(metadata={"description": "the HTTP endpoint doing the same"})
    read_only = fields.Boolean()
    allowed = fields.Boolean(metadata={"description": "whether the calling key's role may call it"})
    input_schema = fields.Dict()


class McpConnectionSchema(Schema):
    """How an assistant connects: the stdio command and the Streamable HTTP transport's address."""

    stdio_command = fields.String()
    http_path = fields.String()
    http_port = fields.Integer(allow_none=True)
    http_url = fields.String(
        allow_none=True,
        metadata={"description": "mcp.public_url when set (may be a path on this origin); else null"},
    )
    http_enabled = fields.Boolean()


class McpOverviewSchema(Schema):
    """The MCP server's tools and how to connect to it."""

    connection = fields.Nested(McpConnectionSchema)
    tools = fields.List(fields.Nested(McpToolSchema))


@blp.route("/tools")
class McpTools(MethodView):
    @requires(MCP_READ)
    @blp.response(200, McpOverviewSchema)
    def get(self) -> dict[str, Any]:
        """The MCP server's tools (which of them this key may call) and how an assistant connects."""
        settings = services().core.section(McpSettings)
        role = current_principal().role
        return {
            "connection": {
                "stdio_command": "mimir mcp --api-key <key>",
                "http_path": MCP_PATH,
                "http_port": settings.port,
                "http_url": settings.public_url or None,
                "http_enabled": settings.enabled,
            },
            "tools": [
                {
                    "name": tool.name,
                    "description": tool.description,
                    "permission": tool.permission.name,
                    "mirrors": tool.mirrors,
                    "read_only": tool.is_read_only,
                    "allowed": role_allows(role, tool.permission),
                    "input_schema": tool.input_schema,
                }
                for tool in _tools()
            ],
        }


@cache
def _tools() -> tuple[ToolDescription, ...]:
    from mcp_server.catalog import describe_tools

    return tuple(describe_tools())
