"""The MCP server, started for real (``mimir mcp`` over stdio, ``mimir mcp --http``) against the test
stack's Redis, database and a real worker, driven by the MCP SDK's own client."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import requests
from flask.testing import FlaskClient
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from mimir.testing.servers import free_port
from mimir.testing.stack import (
    ADMIN_KEY,
    REPO_ROOT,
    McpHttpProcess,
    WorkerPool,
    mcp_http_process,
    settings_environment,
)
from shared.config import Settings
from shared.db.engine import Database
from shared.security.keys import create_api_key
from tests.integration.conftest import pipeline_yaml

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]

GREETING = pipeline_yaml(
    "{name: greet, plugin: Utility.say, config: {message: '{{ greeting }}'}, output: said}"
)
EXPECTED_TOOLS = {
    "list_pipelines",
    "get_pipeline",
    "validate_pipeline",
    "enqueue_pipeline",
    "enqueue_job",
    "get_job",
    "wait_for_job",
    "cancel_job",
    "list_jobs",
    "get_job_logs",
    "list_plugins",
    "list_schedules",
    "run_twin_scenario",
    "search_vectors",
}


@pytest.fixture()
def mcp_http(settings: Settings, db: Database, tmp_path: Path) -> Iterator[McpHttpProcess]:
    with mcp_http_process(settings, tmp_path / "mcp-logs", port=free_port()) as server:
        yield server


@asynccontextmanager
async def stdio_client(settings: Settings, api_key: str) -> AsyncIterator[Client]:
    env = settings_environment(settings)
    env.pop("MIMIR_API_KEY", None)  # the key comes from --api-key only
    command = StdioServerParameters(
        command=sys.executable, args=["-m", "mimir.cli", "mcp", "--api-key", api_key], env=env, cwd=REPO_ROOT
    )
    async with Client(command, read_timeout_seconds=60) as client:
        yield client


@asynccontextmanager
async def http_client(url: str, api_key: str) -> AsyncIterator[Client]:
    async with httpx2.AsyncClient(headers={"Authorization": f"Bearer {api_key}"}, timeout=60) as http:
        async with Client(streamable_http_client(url, http_client=http), read_timeout_seconds=60) as client:
            yield client


async def _run_greeting(client: Client) -> dict[str, Any]:
    tools = {tool.name for tool in (await client.list_tools()).tools}
    assert EXPECTED_TOOLS <= tools
    enqueued = await client.call_tool(
        "enqueue_pipeline", {"pipeline_yaml": GREETING, "context": {"greeting": "hello from MCP"}}
    )
    assert not enqueued.is_error, enqueued.content
    assert enqueued.structured_content is not None
    assert enqueued.structured_content["status"] == "queued"
    waited = await client.call_tool(
        "wait_for_job", {"job_id": enqueued.structured_content["job_id"], "timeout_seconds": 60}
    )
    assert not waited.is_error, waited.content
    assert waited.structured_content is not None
    return dict(waited.structured_content)


def test_over_stdio_a_pipeline_is_enqueued_and_waited_for_until_it_succeeds(
    settings: Settings, db: Database, workers: WorkerPool
) -> None:
    workers.start(1)

    async def scenario() -> dict[str, Any]:
        async with stdio_client(settings, ADMIN_KEY) as client:
            return await _run_greeting(client)

    job = anyio.run(scenario)
    assert job["status"] == "succeeded", job
    assert job["output"]["said"] == "hello from MCP"


def test_over_http_a_pipeline_runs_and_its_log_and_listing_show_it(
    mcp_http: McpHttpProcess, workers: WorkerPool
) -> None:
    workers.start(1)

    async def scenario() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        async with http_client(mcp_http.url, ADMIN_KEY) as client:
            job = await _run_greeting(client)
            logs = await client.call_tool("get_job_logs", {"job_id": job["id"]})
            listed = await client.call_tool("list_jobs", {"status": "succeeded"})
            assert logs.structured_content is not None and listed.structured_content is not None
            return job, dict(logs.structured_content), dict(listed.structured_content)

    job, logs, listed = anyio.run(scenario)
    assert job["status"] == "succeeded" and job["output"]["said"] == "hello from MCP"
    assert any("greet" in (line["step"] or "") for line in logs["lines"]), logs
    assert [item["id"] for item in listed["items"]] == [job["id"]]


def test_a_viewer_key_may_read_but_not_run_and_the_refusal_names_the_permission(
    mcp_http: McpHttpProcess, db: Database
) -> None:
    viewer = create_api_key(db, name="assistant", role="viewer").secret

    async def scenario() -> tuple[Any, MCPError]:
        async with http_client(mcp_http.url, viewer) as client:
            listed = await client.call_tool("list_pipelines", {})
            with pytest.raises(MCPError) as refused:
                await client.call_tool("enqueue_pipeline", {"pipeline_yaml": GREETING})
            return listed, refused.value

    listed, refused = anyio.run(scenario)
    assert not listed.is_error and listed.structured_content["total"] == 0
    assert "pipelines:execute" in refused.message and "viewer" in refused.message
    assert refused.data["permission"] == "pipelines:execute"


def test_bad_arguments_are_clear_tool_errors(settings: Settings, db: Database) -> None:
    async def scenario() -> list[str]:
        async with stdio_client(settings, ADMIN_KEY) as client:
            results = [
                await client.call_tool("enqueue_pipeline", {"context": {}}),
                await client.call_tool("enqueue_pipeline", {"pipeline_yaml": "name: x\nsteps: []\n"}),
                await client.call_tool("get_job", {"job_id": "no-such-job"}),
                await client.call_tool("wait_for_job", {"job_id": "x", "timeout_seconds": 100000}),
                await client.call_tool("list_jobs", {"status": "sleeping"}),
                await client.call_tool("get_job", {}),
            ]
        assert all(r.is_error for r in results), results
        # The SDK prefixes a tool's error with "Error executing tool <name>: ".
        return [r.content[0].text.partition(": ")[2] for r in results]  # type: ignore[union-attr]

    texts = anyio.run(scenario)
    assert texts[0].startswith("invalid_input: give exactly one of pipeline_name, pipeline_id")
    assert texts[1].startswith("invalid_definition: ")
    assert texts[2] == "not_found: job no-such-job not found"
    assert texts[3] == "invalid_input: timeout_seconds: between 0 and 300"
    assert texts[4].startswith("invalid_input: status: Must be one of")
    assert "job_id" in texts[5] and "Traceback" not in "".join(texts)


def test_stdio_refuses_to_start_with_a_wrong_key(settings: Settings, db: Database) -> None:
    import subprocess

    env = settings_environment(settings)
    done = subprocess.run(
        [sys.executable, "-m", "mimir.cli", "mcp", "--api-key", "mimir_not-a-key-0000000000000"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode != 0
    assert "the API key is not valid" in done.stderr and "Traceback" not in done.stderr


def test_http_without_a_valid_key_is_401(mcp_http: McpHttpProcess) -> None:
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"Accept": "application/json, text/event-stream"}
    missing = requests.post(mcp_http.url, json=initialize, headers=headers, timeout=10)
    wrong = requests.post(
        mcp_http.url, json=initialize, headers={**headers, "Authorization": "Bearer mimir_wrong"}, timeout=10
    )
    assert (missing.status_code, wrong.status_code) == (401, 401)
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="mimir"'
    assert missing.json()["message"].startswith("an API key is required")
    assert wrong.json()["message"] == "the API key is not valid (unknown or revoked)"


def test_the_api_lists_the_tools_and_which_of_them_a_key_may_call(client: FlaskClient, db: Database) -> None:
    viewer = create_api_key(db, name="reader", role="viewer").secret
    as_admin = client.get("/api/v1/mcp/tools")
    as_viewer = client.get("/api/v1/mcp/tools", headers={"Authorization": f"Bearer {viewer}"})
    assert as_admin.status_code == as_viewer.status_code == 200
    assert {t["name"] for t in as_admin.json["tools"]} == EXPECTED_TOOLS
    assert as_admin.json["connection"]["http_path"] == "/mcp"
    allowed = {t["name"]: t["allowed"] for t in as_viewer.json["tools"]}
    assert allowed["list_pipelines"] and not allowed["enqueue_pipeline"]
    enqueue = next(t for t in as_admin.json["tools"] if t["name"] == "enqueue_pipeline")
    assert (
        enqueue["permission"] == "pipelines:execute"
        and "pipeline_yaml" in enqueue["input_schema"]["properties"]
    )
