"""The MCP slice: its settings section and permission. Its API (``backend/api/mcp.py``) lists the tools and
how to connect; the tools and both transports are the edge package ``mcp_server/``."""

from __future__ import annotations

from shared.mcp import permissions
from shared.mcp.settings import McpSettings
from shared.slices import Platform


def install(platform: Platform) -> None:
    """Install the MCP slice."""
    platform.add_permissions(*permissions.ALL)
    platform.add_settings_section("mcp", McpSettings)
