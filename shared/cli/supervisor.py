"""``mimir up``: Redis, migrations, the API, beat and N workers (restarted if they die); Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import click

from shared.cli.redis_server import free_port, start_redis
from shared.config import Settings
from shared.db.migrate import upgrade_to_head
from shared.vectors.config import VectorConfig

STOP_GRACE_SECONDS = 20


@dataclass
class _Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)


def run_embedded(settings: Settings, *, workers: int, config_file: Path | None) -> int:
    """Run the whole platform on this machine until interrupted; the exit code."""
    data_dir = settings.data_dir
    for folder in (
        data_dir,
        data_dir / "logs",
        settings.resolved_pipelines_dir,
        settings.resolved_output_dir,
        *settings.resolved_file_directories,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    redis_process = None
    redis_url = settings.redis_url
    if redis_url is None:
        port = free_port(6379)
        redis_process = start_redis(data_dir / "redis", port)
        redis_url = f"redis://127.0.0.1:{port}/0"
    upgrade_to_head(settings.resolved_database_url)
    if settings.metrics_enabled:
        _start_fresh_metrics(settings.resolved_metrics_dir)
    new_admin_key = _ensure_admin_access(settings)
    env = dict(os.environ)
    env.update(
        {
            "REDIS_URL": redis_url,
            "DATABASE_URL": settings.resolved_database_url,
            "MIMIR_PERSISTENCE_DATA_DIR": str(data_dir),
            "MIMIR_SERVER_HOST": settings.api_host,
            "MIMIR_SERVER_PORT": str(settings.api_port),
            "WORKER_CONCURRENCY": str(settings.worker_concurrency),
        }
    )
    if config_file:
        env["MIMIR_CONFIG"] = str(config_file)
    base = [sys.executable, "-m", "shared.cli"]
    host = socket.gethostname()
    children = [_Child("api", [*base, "api"]), _Child("beat", [*base, "beat"])] + [
        _Child(f"worker{i}", [*base, "worker", "--name", f"worker{i}@{host}"]) for i in range(1, workers + 1)
    ]
    if VectorConfig.from_settings(settings).is_embedded:  # the one process holding the local vector store
        children.insert(0, _Child("vectors", [sys.executable, "-m", "shared.vectors.owner"]))
    stopping = []

    def request_stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        for child in children:
            _start(child, env, data_dir / "logs")
        api_url = f"http://{settings.api_host}:{settings.api_port}"
        _wait_for_api(api_url, stopping)
        _print_banner(settings, api_url, redis_url, children, new_admin_key)
        while not stopping:
            time.sleep(0.5)
            for child in children:
                if child.process is not None and child.process.poll() is not None and not stopping:
                    click.echo(f"{child.name} exited with {child.process.returncode}; restarting", err=True)
                    _restart(child, env, data_dir / "logs")
    finally:
        click.echo("stopping...", err=True)
        _stop_all([c.process for c in children if c.process is not None])
        if redis_process is not None:
            _stop_all([redis_process])
        _backup_on_shutdown(settings)
    return 0


def _start_fresh_metrics(metrics_dir: Path) -> None:
    """Counters start from zero with each ``mimir up``: files of the last run are removed before any child
    starts (the children then write there; each sets itself up from the same settings)."""
    from shared.observability.metrics import remove_stale_files

    metrics_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_files(metrics_dir)


def _backup_on_shutdown(settings: Settings) -> None:
    from shared.db.engine import Database
    from shared.scheduling.upkeep import backup_sqlite

    db = Database.connect(settings.resolved_database_url)
    try:
        target = backup_sqlite(db, settings.backups_dir, settings.backups_keep)
        if target is not None:
            click.echo(f"backup written: {target}", err=True)
    except Exception as exc:  # a failed backup must not hide the clean stop
        click.echo(f"backup on shutdown failed: {exc}", err=True)
    finally:
        db.dispose()


def _start(child: _Child, env: dict[str, str], log_dir: Path) -> None:
    log = (log_dir / f"{child.name}.log").open("ab")
    child.process = subprocess.Popen(
        child.argv, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()


def _restart(child: _Child, env: dict[str, str], log_dir: Path) -> None:
    now = time.monotonic()
    child.restarts = [t for t in child.restarts if now - t < 60] + [now]
    if len(child.restarts) > 5:  # crash loop: back off instead of spinning
        time.sleep(5)
    _start(child, env, log_dir)


def _wait_for_api(api_url: str, stopping: list[int], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stopping:
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2):
                return
        except OSError as exc:
            if getattr(exc, "code", None) == 503:  # up, though a component is not ready yet
                return
            time.sleep(0.2)
    if not stopping:
        raise click.ClickException(f"the API did not answer at {api_url} within {timeout:.0f}s; see the logs")


def _stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _ensure_admin_access(settings: Settings) -> str | None:
    from shared.db.engine import Database
    from shared.security.bootstrap import ensure_admin_access

    db = Database.connect(settings.resolved_database_url)
    try:
        return ensure_admin_access(db, settings, generate=settings.auth_enabled)
    finally:
        db.dispose()


def _print_banner(
    settings: Settings, api_url: str, redis_url: str, children: list[_Child], new_admin_key: str | None
) -> None:
    workers = [c for c in children if c.name.startswith("worker")]
    lines = [
        "Mimir AIP is running.",
        f"  API:        {api_url}/api/v1",
        f"  API docs:   {api_url}/api/docs   (OpenAPI: {api_url}/api/openapi.json)",
        f"  Health:     {api_url}/health",
        f"  Data dir:   {settings.data_dir}",
        f"  Database:   {settings.resolved_database_url}",
        f"  Redis:      {redis_url}",
        f"  Files:      steps read from {', '.join(str(p) for p in settings.resolved_file_directories)}",
        f"              and write to {settings.resolved_output_dir}",
        f"  Workers:    {len(workers)} x concurrency {settings.worker_concurrency} "
        f"(pids {', '.join(str(c.process.pid) for c in workers if c.process)})",
        "  Beat:       1 scheduler (fires cron schedules; /api/v1/scheduler/jobs)",
        f"  Backups:    {settings.backups_dir} (SQLite; also on clean stop)",
        f"  Logs:       {settings.data_dir / 'logs'}",
    ]
    if new_admin_key:
        lines += [
            "",
            "An admin API key was created for this installation. It is shown only this once; keep it:",
            f"  {new_admin_key}",
            f"  e.g. curl -H 'Authorization: Bearer {new_admin_key}' {api_url}/api/v1/queue/status",
            "  More keys: mimir keys create --role operator --name NAME",
        ]
    elif not settings.auth_enabled:
        from shared.security.bootstrap import AUTH_DISABLED_WARNING

        lines += ["", AUTH_DISABLED_WARNING]
    lines.append("Press Ctrl-C to stop.")
    click.echo("\n".join(lines))
