"""Building a real Mimir stack for tests: settings, a migrated database, worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from shared.config import Settings, load_settings, settings_environment_variables
from shared.db.engine import Database
from shared.db.migrate import upgrade_to_head
from shared.queue.workers import live_workers

REPO_ROOT = Path(__file__).resolve().parents[2]
# The admin key every test stack is bootstrapped with (``security.api_key``); tests send it unless they
# are testing what happens without it.
ADMIN_KEY = "mimir_test-admin-key-0123456789abcdef"


def make_settings(tmp_path: Path, *, database_url: str, redis_url: str, **overrides: Any) -> Settings:
    """Settings for a test stack with its data under ``tmp_path`` (the environment is not read)."""
    files = tmp_path / "files"
    files.mkdir(parents=True, exist_ok=True)
    values: dict[str, Any] = {
        "data_dir": tmp_path,
        "database_url": database_url,
        "redis_url": redis_url,
        "file_directories": (files,),
        "lease_seconds": 3.0,
        "sweep_interval_seconds": 1.0,
        "requeue_after_seconds": 3.0,
        "visibility_timeout_seconds": 10,
        "scheduler_lease_seconds": 2.0,
        "scheduler_tick_seconds": 0.2,
        "scheduler_misfire_grace_seconds": 30.0,
        "bootstrap_api_key": ADMIN_KEY,
    }
    values.update(overrides)
    return load_settings(environ={}, **values)


def migrated_database(settings: Settings) -> Database:
    """The stack's database with the schema built by the migrations."""
    from shared.security.bootstrap import ensure_admin_access

    upgrade_to_head(settings.resolved_database_url)
    db = Database.connect(settings.resolved_database_url)
    ensure_admin_access(db, settings, generate=False)
    return db


def settings_environment(settings: Settings) -> dict[str, str]:
    """Environment variables that give a child process the same settings."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MIMIR_") and k not in ("DATABASE_URL", "REDIS_URL")
    }
    env.update(settings_environment_variables(settings))
    # Workers, beats and the API of one stack share it, so /metrics shows every process.
    env["MIMIR_MONITORING_METRICS_DIR"] = str(settings.resolved_metrics_dir)
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


@dataclass
class WorkerProcess:
    """One ``mimir worker`` process (its own process group: main process plus pool children)."""

    name: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def pool_children(self) -> list[int]:
        """Pids of the worker's pool processes."""
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill_group(self) -> None:
        """SIGKILL the whole worker: main process and pool children at once."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL if it takes too long."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_group()
            except ProcessLookupError:
                pass

    def log_tail(self, lines: int = 40) -> str:
        """The end of the worker's log."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@dataclass
class WorkerPool:
    """Worker processes of a test stack."""

    settings: Settings
    log_dir: Path
    workers: list[WorkerProcess] = field(default_factory=list)

    def start(
        self, count: int = 1, *, concurrency: int = 1, timeout: float = 30, options: tuple[str, ...] = ()
    ) -> list[WorkerProcess]:
        """Start ``count`` workers (``options``: more ``mimir worker`` options) and wait until each reports
        in."""
        started = []
        for _ in range(count):
            name = f"w{uuid.uuid4().hex[:8]}@test"
            log_path = self.log_dir / f"{name}.log"
            with log_path.open("ab") as log:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "mimir.cli",
                        "worker",
                        "--name",
                        name,
                        "--concurrency",
                        str(concurrency),
                        "--loglevel",
                        "INFO",
                        *options,
                    ],
                    env=settings_environment(self.settings),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    cwd=REPO_ROOT,
                )
            started.append(WorkerProcess(name, process, log_path))
        self.workers.extend(started)
        self._wait_until_online([w.name for w in started], timeout)
        return started

    def _wait_until_online(self, names: list[str], timeout: float) -> None:
        client = redis.Redis.from_url(self.settings.resolved_redis_url)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                online = set(live_workers(client))
                if all(n in online for n in names):
                    return
                dead = [w for w in self.workers if w.name in names and w.process.poll() is not None]
                if dead:
                    raise RuntimeError(f"worker {dead[0].name} exited:\n{dead[0].log_tail()}")
                time.sleep(0.1)
        finally:
            client.close()
        raise RuntimeError(f"workers {names} did not come online in {timeout}s")

    def stop_all(self) -> None:
        """Stop every worker."""
        for worker in self.workers:
            worker.stop()
        self.workers.clear()


@contextmanager
def worker_pool(settings: Settings, log_dir: Path) -> Iterator[WorkerPool]:
    """A pool of worker processes, all stopped on exit."""
    log_dir.mkdir(parents=True, exist_ok=True)
    pool = WorkerPool(settings, log_dir)
    try:
        yield pool
    finally:
        pool.stop_all()


@dataclass
class ApiProcess:
    """A ``mimir api`` process (gunicorn) serving the stack over real HTTP."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path
    headers: dict[str, str] = field(default_factory=lambda: {"Authorization": f"Bearer {ADMIN_KEY}"})

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM, then SIGKILL)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@contextmanager
def api_process(settings: Settings, log_dir: Path, *, port: int) -> Iterator[ApiProcess]:
    """The API served by ``mimir api`` on ``port`` until the block ends."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "api.log"
    env = settings_environment(settings)
    env["MIMIR_SERVER_PORT"] = str(port)
    process = _start_cli(["api"], env, log_path)
    api = ApiProcess(f"http://127.0.0.1:{port}", process, log_path)
    try:
        _wait_until_healthy(process, f"{api.url}/health", log_path, "mimir api")
        yield api
    finally:
        api.stop()


@dataclass
class BeatPool:
    """``mimir beat`` processes of a test stack."""

    settings: Settings
    log_dir: Path
    beats: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start(self, count: int = 1) -> list[subprocess.Popen[bytes]]:
        """Start ``count`` beat processes (they elect a leader among themselves)."""
        started = []
        for _ in range(count):
            log_path = self.log_dir / f"beat-{uuid.uuid4().hex[:8]}.log"
            with log_path.open("ab") as log:
                started.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "mimir.cli", "beat", "--loglevel", "INFO"],
                        env=settings_environment(self.settings),
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                        cwd=REPO_ROOT,
                    )
                )
        self.beats.extend(started)
        return started

    def leader(self, timeout: float = 30) -> subprocess.Popen[bytes]:
        """The beat process holding the leader lease (waits until one does)."""
        from shared.scheduling.leader import LEADER_KEY

        client = redis.Redis.from_url(self.settings.resolved_redis_url)
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                holder = client.get(LEADER_KEY)
                if isinstance(holder, bytes):
                    pid = int(holder.decode().split(":")[1])
                    for beat in self.beats:
                        if beat.pid == pid and beat.poll() is None:
                            return beat
                time.sleep(0.05)
        finally:
            client.close()
        raise RuntimeError(f"no live beat holds the leader lease after {timeout}s")

    def kill(self, beat: subprocess.Popen[bytes]) -> None:
        """SIGKILL one beat."""
        try:
            os.killpg(beat.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        beat.wait(timeout=10)

    def stop_all(self) -> None:
        """Stop every beat (SIGTERM, then SIGKILL)."""
        for beat in self.beats:
            if beat.poll() is None:
                try:
                    os.killpg(beat.pid, signal.SIGTERM)
                    beat.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.kill(beat)
                except ProcessLookupError:
                    pass
        self.beats.clear()


@contextmanager
def beat_pool(settings: Settings, log_dir: Path) -> Iterator[BeatPool]:
    """Beat processes, all stopped on exit."""
    log_dir.mkdir(parents=True, exist_ok=True)
    pool = BeatPool(settings, log_dir)
    try:
        yield pool
    finally:
        pool.stop_all()


@dataclass
class McpHttpProcess:
    """A ``mimir mcp --http`` process serving the stack's MCP tools at ``url`` (``.../mcp``)."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def stop(self) -> None:
        """Stop uvicorn (SIGTERM, then SIGKILL)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


@contextmanager
def mcp_http_process(settings: Settings, log_dir: Path, *, port: int) -> Iterator[McpHttpProcess]:
    """The MCP server's HTTP transport on ``port`` until the block ends."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "mcp.log"
    process = _start_cli(["mcp", "--http", "--port", str(port)], settings_environment(settings), log_path)
    server = McpHttpProcess(f"http://127.0.0.1:{port}/mcp", process, log_path)
    try:
        _wait_until_healthy(process, f"http://127.0.0.1:{port}/health", log_path, "mimir mcp --http")
        yield server
    finally:
        server.stop()


def _start_cli(args: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """``python -m mimir.cli <args>`` in a session of its own, its output appended to ``log_path``."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "mimir.cli", *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO_ROOT,
        )


def _wait_until_healthy(process: subprocess.Popen[bytes], health_url: str, log_path: Path, what: str) -> None:
    """Return once ``health_url`` answers; RuntimeError with the log if the process died or 30 s passed."""
    import requests

    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(health_url, timeout=5)
            return
        except (requests.ConnectionError, requests.Timeout):
            if process.poll() is not None or time.monotonic() > deadline:
                log = log_path.read_text(errors="replace")
                raise RuntimeError(f"{what} did not start:\n{log}") from None
            time.sleep(0.1)
