"""The ``mcp:`` section of config.yaml (``MIMIR_MCP_<KEY>``): where the MCP server's HTTP transport listens
and what one client may hold of it."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import Settings

MCP_PATH = "/mcp"


@dataclass(frozen=True)
class McpSettings:
    """The MCP server's HTTP transport (``mimir mcp --http``, started by ``mimir up``)."""

    # Where it listens; ``mimir up`` starts it unless ``enabled`` is false.
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = 8090
    # The URL clients are told to use (the web UI's MCP page); empty: the browser's host on ``port``.
    # Behind the compose file's nginx it is ``/mcp`` on the UI's own origin.
    public_url: str = ""
    # Connections served at once (uvicorn answers 503 past it) and the largest request body in bytes.
    max_connections: int = 256
    max_body_bytes: int = 2 * 1024 * 1024
    # Tool calls running service code at once (threads), and wait_for_job calls held at once.
    max_concurrent_calls: int = 16
    max_waits: int = 64
    # Seconds an idle keep-alive connection is kept.
    keepalive_seconds: float = 5.0


def mcp_settings(settings: Settings) -> McpSettings:
    """The ``mcp:`` section of ``settings`` (for a process that builds no services, e.g. the supervisor)."""
    from shared.settings_sections import SettingsSections

    sections = SettingsSections()
    sections.add("mcp", McpSettings)
    values: McpSettings = sections.read({"mcp": settings.sections.get("mcp", {})})[McpSettings]
    return values
