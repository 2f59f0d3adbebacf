"""``GET /api/v1/events`` on a real gunicorn API with real workers: a job's running and finished states
arrive as server-sent events; a process holds at most ``server.max_event_streams`` streams."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import requests

from mimir.testing.servers import free_port
from mimir.testing.stack import ApiProcess, api_process, make_settings, migrated_database, worker_pool
from shared.config import Settings
from tests.integration.conftest import pipeline_yaml

pytestmark = pytest.mark.integration

MAX_STREAMS = 2


@pytest.fixture()
def stream_settings(tmp_path: Path, redis_url: str) -> Settings:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    settings = make_settings(
        tmp_path,
        database_url=f"sqlite:///{tmp_path / 'mimir.db'}",
        redis_url=redis_url,
        max_event_streams=MAX_STREAMS,
    )
    migrated_database(settings).dispose()
    return settings


@pytest.fixture()
def stream_api(stream_settings: Settings, tmp_path: Path) -> Iterator[ApiProcess]:
    with api_process(stream_settings, tmp_path / "api-logs", port=free_port()) as api:
        yield api


def _open(api: ApiProcess) -> requests.Response:
    return requests.get(f"{api.url}/api/v1/events", headers=api.headers, stream=True, timeout=30)


def _events(response: requests.Response, into: queue.Queue[dict[str, str]]) -> None:
    """Read ``event: job`` payloads into ``into`` until the stream closes."""
    event = ""
    try:
        for line in response.iter_lines(decode_unicode=True):
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "job":
                into.put(json.loads(line.split(":", 1)[1]))
    except (requests.RequestException, AttributeError, OSError):
        pass  # the test closed the stream under this reader (http.client then fails in several ways)


def test_a_stream_shows_a_job_running_then_succeeding(
    stream_api: ApiProcess, stream_settings: Settings, tmp_path: Path
) -> None:
    with worker_pool(stream_settings, tmp_path / "worker-logs") as pool:
        pool.start(1)
        stream = _open(stream_api)
        assert stream.status_code == 200
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        received: queue.Queue[dict[str, str]] = queue.Queue()
        threading.Thread(target=_events, args=(stream, received), daemon=True).start()
        text = pipeline_yaml("{name: nap, plugin: Utility.sleep, config: {seconds: 1.5}}")
        enqueued = requests.post(
            f"{stream_api.url}/api/v1/queue/pipelines/enqueue",
            json={"pipeline_yaml": text},
            headers=stream_api.headers,
            timeout=30,
        ).json()
        statuses = []
        deadline = time.monotonic() + 30
        while "succeeded" not in statuses and time.monotonic() < deadline:
            try:
                event = received.get(timeout=1)
            except queue.Empty:
                continue
            if event["job_id"] == enqueued["job_id"]:
                statuses.append(event["status"])
        stream.close()
    assert statuses[0] == "running"
    assert statuses[-1] == "succeeded"


def test_streams_past_the_limit_get_503_until_one_closes(stream_api: ApiProcess) -> None:
    held = [_open(stream_api) for _ in range(MAX_STREAMS)]
    assert [r.status_code for r in held] == [200] * MAX_STREAMS
    refused = requests.get(f"{stream_api.url}/api/v1/events", headers=stream_api.headers, timeout=10)
    assert refused.status_code == 503
    assert "server.max_event_streams" in refused.json()["message"]

    held.pop().close()
    # The server notices the departed client at its next keepalive write (every few seconds).
    deadline = time.monotonic() + 20
    while True:
        again = _open(stream_api)
        if again.status_code == 200 or time.monotonic() > deadline:
            break
        again.close()
        time.sleep(0.5)
    assert again.status_code == 200
    again.close()
    for response in held:
        response.close()


def test_a_stream_needs_a_key(stream_api: ApiProcess) -> None:
    response = requests.get(f"{stream_api.url}/api/v1/events", timeout=10)
    assert response.status_code == 401
