"""A cancel interrupts the vector slice's HTTP steps on a real worker: a request to a model server that
stalls, and the pause before a retry the server asked for, both end within about a second."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from mimir.testing.stack import WorkerPool
from shared.config import Settings
from tests.integration.conftest import pipeline_yaml
from tests.shared.vectors.chat_server import ChatServer, Reply, chat_server

pytestmark = pytest.mark.integration
STALL = 60.0  # the server holds its answer this long: a cancel must not wait for it


@pytest.fixture()
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(http_allowlist=("127.0.0.1",))


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    with chat_server() as running:
        yield running


def _flow(value: dict[str, Any]) -> str:
    return json.dumps(value)  # JSON is a YAML flow mapping


def _llm(server: ChatServer, **extra: Any) -> str:
    config = {
        "base_url": server.url,
        "model": "tiny",
        "messages": [{"role": "user", "content": "hi"}],
        **extra,
    }
    return pipeline_yaml(_flow({"name": "ask", "plugin": "AI_Models.llm", "config": config}))


def _embed(server: ChatServer) -> str:
    read = {"name": "read", "plugin": "Input.csv", "config": {"content": "body\nhello\n"}, "output": "docs"}
    embedder = {"kind": "http", "base_url": server.url, "model": "e", "dimension": 3}
    embed = {
        "name": "embed",
        "plugin": "AI_Models.embed",
        "config": {"input": "docs", "text_columns": ["body"], "embedder": embedder},
    }
    return pipeline_yaml(_flow(read), _flow(embed))


def _cancel_once_the_server_is_asked(
    client: FlaskClient, server: ChatServer, text: str, settle: float
) -> float:
    """Run ``text`` and cancel it ``settle`` s after the server got a request; how long the cancel took."""
    enqueued = client.post("/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": text})
    assert enqueued.status_code == 202, enqueued.json
    job_id = enqueued.json["job_id"]
    deadline = time.monotonic() + 60
    while not server.requests:
        assert time.monotonic() < deadline, "the step never called the server"
        time.sleep(0.05)
    time.sleep(settle)
    asked = time.monotonic()
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel").status_code == 200
    job = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout=30s").json
    took = time.monotonic() - asked
    assert (job["status"], job["error"]) == ("cancelled", "cancelled"), job
    assert job["steps"][-1]["status"] == "cancelled", job["steps"]
    return took


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_cancel_ends_an_llm_request_the_server_stalls(
    client: FlaskClient, workers: WorkerPool, server: ChatServer
) -> None:
    workers.start(1)
    server.script.append(Reply(delay=STALL))
    took = _cancel_once_the_server_is_asked(client, server, _llm(server, timeout_seconds=120), settle=0.5)
    assert took < 2, f"cancelled after {took:.2f}s"


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_cancel_ends_the_pause_before_an_llm_retry(
    client: FlaskClient, workers: WorkerPool, server: ChatServer
) -> None:
    workers.start(1)
    server.script.append(Reply(429, {"error": {"message": "slow down"}}, headers={"retry-after": "100"}))
    took = _cancel_once_the_server_is_asked(client, server, _llm(server, timeout_seconds=300), settle=0.5)
    assert took < 2, f"cancelled after {took:.2f}s"
    assert len(server.requests) == 1  # the retry never went out


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_cancel_ends_an_http_embedder_request_the_server_stalls(
    client: FlaskClient, workers: WorkerPool, server: ChatServer
) -> None:
    workers.start(1)
    server.script.append(Reply(delay=STALL))
    took = _cancel_once_the_server_is_asked(client, server, _embed(server), settle=0.5)
    assert took < 2, f"cancelled after {took:.2f}s"
    assert server.requests[0]["path"] == "/v1/embeddings"
