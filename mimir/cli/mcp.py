"""``mimir mcp``: the MCP server, over stdio (for a desktop assistant) or Streamable HTTP (``--http``)."""

from __future__ import annotations

from pathlib import Path

import click

from mimir.cli.options import (
    CONFIG_OPTION,
    DATA_DIR_OPTION,
    require_existing_database,
    settings_from_options,
)


@click.command("mcp")
@CONFIG_OPTION
@DATA_DIR_OPTION
@click.option(
    "--api-key",
    envvar="MIMIR_API_KEY",
    help="The key the assistant acts with over stdio (default: MIMIR_API_KEY); its role decides the tools "
    "it may call.",
)
@click.option("--http", "over_http", is_flag=True, help="Serve Streamable HTTP at /mcp instead of stdio.")
@click.option("--host", help="With --http: address to bind (default: mcp.host, 127.0.0.1).")
@click.option("--port", type=int, help="With --http: port (default: mcp.port, 8090).")
def mcp_command(
    config_file: Path | None,
    data_dir: Path | None,
    api_key: str | None,
    over_http: bool,
    host: str | None,
    port: int | None,
) -> None:
    """Serve the MCP tools (pipelines, jobs, schedules, twins, vectors) to an AI assistant.

    Over stdio (the default) stdout carries the protocol and logs go to stderr. Over HTTP each request
    brings its own key (Authorization: Bearer <key>)."""
    from mcp_server.door import Door
    from mimir.cli.services import record_metrics_in_shared_dir
    from shared.observability.logging import configure_logging

    settings = settings_from_options(config_file, data_dir=data_dir.resolve() if data_dir else None)
    require_existing_database(settings)
    record_metrics_in_shared_dir(settings)
    configure_logging(settings, level="WARNING" if not over_http else None)
    door = Door.from_settings(settings)
    if over_http:
        from mcp_server.http import serve_http

        mcp = door.mcp
        serve_http(door, host=host or mcp.host, port=port or mcp.port)
        return
    from mcp_server.stdio import KeyRefused, serve_stdio

    try:
        serve_stdio(door, api_key)
    except KeyRefused as exc:
        raise click.ClickException(exc.message) from exc
