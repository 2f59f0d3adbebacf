"""What keys may do with the MCP front door itself (each tool needs the permission of its HTTP twin)."""

from __future__ import annotations

from shared.security.permissions import Level, Permission

MCP_READ = Permission("mcp:read", Level.READ)

ALL = (MCP_READ,)
