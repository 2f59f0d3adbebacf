"""The API server's defences against clients that hold connections: a wait whose client hung up is freed
at once, one address cannot hold more than its share of connections, and a request's head and body must
arrive in time. Each runs against a real ``mimir api`` process."""

from __future__ import annotations

import dataclasses
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mimir.testing.servers import free_port
from mimir.testing.stack import ADMIN_KEY, ApiProcess, api_process
from shared.config import Settings
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.targets import RunTarget
from shared.pipelines.job_kind import pipeline_job_kind
from shared.pipelines.model import PipelineDefinition

pytestmark = pytest.mark.integration

CAP = 4


@pytest.fixture()
def database_kind() -> str:
    return "sqlite"  # the server's behaviour here does not depend on the database


@pytest.fixture()
def guarded_api(settings: Settings, db: Database, tmp_path: Path) -> Iterator[ApiProcess]:
    tight = dataclasses.replace(
        settings, max_connections_per_address=CAP, header_timeout_seconds=1.0, body_timeout_seconds=1.0
    )
    with api_process(tight, tmp_path / "api-logs", port=free_port()) as process:
        yield process


def _queued_job(db: Database) -> str:
    """A queued job nothing will run (its message is never published)."""
    definition = PipelineDefinition.from_dict(
        {"name": "held", "steps": [{"name": "a", "plugin": "Utility.noop"}]}
    )
    return service.create_job(db, pipeline_job_kind(), RunTarget(definition=definition).job_request({})).id


def _connect(api: ApiProcess, source: str = "127.0.0.1") -> socket.socket:
    port = int(api.url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    return sock


def _open_wait(api: ApiProcess, job_id: str, source: str = "127.0.0.1") -> socket.socket:
    sock = _connect(api, source)
    sock.sendall(
        f"GET /api/v1/queue/jobs/{job_id}/wait?timeout=60s HTTP/1.1\r\nHost: mimir\r\n"
        f"Authorization: Bearer {ADMIN_KEY}\r\n\r\n".encode()
    )
    return sock


def _get(api: ApiProcess, path: str, source: str) -> tuple[int, bytes]:
    """Status and body of ``GET path`` sent from the loopback alias ``source``."""
    sock = _connect(api, source)
    try:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: mimir\r\nConnection: close\r\n\r\n".encode())
        return _read_answer(sock)
    finally:
        sock.close()


def _open_waits(api: ApiProcess) -> float:
    """The API's open-waits gauge, asked from an address of its own (the cap counts per address)."""
    _, body = _get(api, "/metrics", "127.0.0.9")
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in body.decode().splitlines()
        if line.startswith("mimir_api_waits_open")
    )


def _until(condition: object, timeout: float) -> float | None:
    """Seconds until ``condition()`` held, or None if it did not within ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def _read_answer(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def _length(data: bytes) -> int:
    for line in data.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def test_a_wait_whose_client_hangs_up_is_freed_within_a_second(guarded_api: ApiProcess, db: Database) -> None:
    sock = _open_wait(guarded_api, _queued_job(db))
    assert _until(lambda: _open_waits(guarded_api) == 1, 10) is not None
    sock.close()
    freed_in = _until(lambda: _open_waits(guarded_api) == 0, 5)
    assert freed_in is not None and freed_in < 1.5


def test_a_wait_whose_client_stays_is_held(guarded_api: ApiProcess, db: Database) -> None:
    sock = _open_wait(guarded_api, _queued_job(db))
    try:
        assert _until(lambda: _open_waits(guarded_api) == 1, 10) is not None
        time.sleep(1.5)
        assert _open_waits(guarded_api) == 1
    finally:
        sock.close()


def test_connections_past_the_per_address_cap_get_429_while_other_addresses_are_served(
    guarded_api: ApiProcess, db: Database
) -> None:
    job_id = _queued_job(db)
    held = [_open_wait(guarded_api, job_id) for _ in range(CAP)]
    try:
        assert _until(lambda: _open_waits(guarded_api) == CAP, 10) is not None
        status, body = _get(guarded_api, "/health", "127.0.0.1")
        assert status == 429 and "open connections" in json.loads(body)["message"]
        assert _get(guarded_api, "/health", "127.0.0.2")[0] == 200
    finally:
        for sock in held:
            sock.close()


def test_an_address_below_its_cap_again_is_served(guarded_api: ApiProcess, db: Database) -> None:
    job_id = _queued_job(db)
    held = [_open_wait(guarded_api, job_id) for _ in range(CAP)]
    assert _until(lambda: _open_waits(guarded_api) == CAP, 10) is not None
    held.pop().close()
    assert _until(lambda: _open_waits(guarded_api) == CAP - 1, 5) is not None
    try:
        assert _get(guarded_api, "/health", "127.0.0.1")[0] == 200
    finally:
        for sock in held:
            sock.close()


def test_a_request_head_not_sent_within_the_header_timeout_is_closed(guarded_api: ApiProcess) -> None:
    sock = _connect(guarded_api)
    sock.sendall(b"GET /health HTTP/1.1\r\nHost: mim")
    started = time.monotonic()
    assert sock.recv(1024) == b""  # closed by the server, no answer
    assert time.monotonic() - started < 3
    sock.close()


def test_a_body_not_sent_within_the_body_timeout_gets_408(guarded_api: ApiProcess) -> None:
    sock = _connect(guarded_api)
    sock.sendall(
        b"POST /api/v1/queue/pipelines/enqueue HTTP/1.1\r\nHost: mimir\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {ADMIN_KEY}\r\nContent-Length: 100\r\n\r\n".encode()
        + b'{"pipeline_yaml": "'
    )
    started = time.monotonic()
    status, body = _read_answer(sock)
    sock.close()
    assert status == 408 and "did not arrive within 1s" in json.loads(body)["message"]
    assert time.monotonic() - started < 3
