"""The stdio transport: ``mimir mcp``, started by a desktop assistant (Claude Desktop, Cursor) as a child
process speaking JSON-RPC on stdin/stdout, acting with one API key (``--api-key`` or ``MIMIR_API_KEY``)."""

from __future__ import annotations

import anyio

from mcp_server.door import Door
from mcp_server.server import build_server
from shared.errors import MimirError


class KeyRefused(MimirError):
    """The stdio server was started without a valid key; the message says which."""


def check_stdio_key(door: Door, api_key: str | None) -> None:
    """Refuse to start with no key or a key that is not active (unless authentication is off)."""
    if not door.services.settings.auth_enabled:
        return
    if not api_key:
        raise KeyRefused("an API key is required: --api-key <key> or the MIMIR_API_KEY variable")
    if door.keys.principal(api_key) is None:
        raise KeyRefused("the API key is not valid (unknown or revoked)")
    door.stdio_key = api_key


def serve_stdio(door: Door, api_key: str | None) -> None:
    """Serve MCP on stdin/stdout with ``api_key`` until the client closes stdin, then close the door."""
    try:
        check_stdio_key(door, api_key)
        anyio.run(build_server(door).run_stdio_async)
    finally:
        door.close()
