"""``mimir up``: Redis, migrations, the API, beat and N workers (restarted if they die); Ctrl-C stops all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field, replace
from pathlib import Path

import click

from mimir.cli.lifetime import die_with_this_process
from mimir.cli.lock import data_dir_lock
from mimir.cli.redis_server import free_port, start_redis
from shared.config import SUPERVISOR_VARIABLES, Settings, overridden_environment_variables
from shared.db.migrate import upgrade_to_head
from shared.mcp.settings import McpSettings, mcp_settings
from shared.vectors.config import VectorConfig

STOP_GRACE_SECONDS = 20


@dataclass
class _Child:
    name: str
    argv: list[str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)


def run_embedded(settings: Settings, *, workers: int, config_file: Path | None) -> int:
    """Run the whole platform on this machine until interrupted; the exit code.

    Refuses (:class:`DataDirInUse`) when another ``mimir up`` holds the data dir."""
    data_dir = settings.data_dir
    with data_dir_lock(data_dir) as stale_pid:
        if stale_pid is not None:
            click.echo(f"taking over the data dir from pid {stale_pid}, which is no longer running", err=True)
        return _run_locked(settings, workers=workers, config_file=config_file)


def _run_locked(settings: Settings, *, workers: int, config_file: Path | None) -> int:
    data_dir = settings.data_dir
    for folder in (
        data_dir / "logs",
        settings.resolved_pipelines_dir,
        settings.resolved_output_dir,
        *settings.resolved_file_directories,
    ):
        folder.mkdir(parents=True, exist_ok=True)
    redis = _EmbeddedRedis(data_dir / "redis", free_port(6379)) if settings.redis_url is None else None
    if redis is not None:
        redis.start()
    upgrade_to_head(settings.resolved_database_url)
    if settings.metrics_enabled:
        _start_fresh_metrics(settings.resolved_metrics_dir)
    new_admin_key = _ensure_admin_access(settings)
    mcp = mcp_settings(settings)
    if mcp.enabled:  # its port if free, else any (like Redis): a busy port must not stop `mimir up`
        mcp = replace(mcp, port=free_port(mcp.port))
    env = _children_environment(settings, config_file, redis, mcp_port=mcp.port if mcp.enabled else None)
    base = [sys.executable, "-m", "mimir.cli"]
    host = socket.gethostname()
    children = [_Child("api", [*base, "api"]), _Child("beat", [*base, "beat"])] + [
        _Child(f"worker{i}", [*base, "worker", "--name", f"worker{i}@{host}"]) for i in range(1, workers + 1)
    ]
    if mcp.enabled:  # the MCP server's Streamable HTTP transport (stdio clients start their own `mimir mcp`)
        children.append(_Child("mcp", [*base, "mcp", "--http"]))
    if VectorConfig.from_settings(settings).is_embedded:  # the one process holding the local vector store
        children.insert(0, _Child("vectors", [sys.executable, "-m", "shared.vectors.owner"]))
    stopping = []

    def request_stop(signum: int, _frame: object) -> None:
        stopping.append(signum)

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)
    try:
        for child in children:
            _start(child, env, data_dir / "logs")
        api_url = f"http://{settings.api_host}:{settings.api_port}"
        _wait_for_api(api_url, stopping)
        _print_banner(settings, api_url, redis, children, new_admin_key, mcp)
        while not stopping:
            time.sleep(0.5)
            if redis is not None and redis.has_exited and not stopping:
                redis.restart()
            for child in children:
                if child.process is not None and child.process.poll() is not None and not stopping:
                    click.echo(f"{child.name} exited with {child.process.returncode}; restarting", err=True)
                    _restart(child, env, data_dir / "logs")
    finally:
        click.echo("stopping...", err=True)
        _stop_all([c.process for c in children if c.process is not None])
        if redis is not None and redis.process is not None:
            _stop_all([redis.process])
        if settings.backups_enabled:
            _backup_on_shutdown(settings)
    return 0


class _EmbeddedRedis:
    """The redis-server ``mimir up`` runs, restarted on the same port and data when it dies (workers and
    the API reconnect by themselves; the sweep republishes what a lost message would have delivered)."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir, self.port = data_dir, port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts: list[float] = []

    @property
    def has_exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    def start(self) -> None:
        self.process = start_redis(self.data_dir, self.port, preexec_fn=die_with_this_process())

    def restart(self) -> None:
        assert self.process is not None
        click.echo(
            f"redis-server (pid {self.process.pid}) exited with {self.process.returncode}; "
            f"restarting it on port {self.port}",
            err=True,
        )
        now = time.monotonic()
        self.restarts = [t for t in self.restarts if now - t < 60] + [now]
        if len(self.restarts) > 5:  # crash loop: back off instead of spinning
            time.sleep(5)
        try:
            self.start()
        except RuntimeError as exc:  # e.g. the port was taken meanwhile: try again next round
            click.echo(f"redis-server did not restart: {exc}", err=True)
            return
        click.echo(f"redis-server restarted (pid {self.process.pid})", err=True)


def _children_environment(
    settings: Settings, config_file: Path | None, redis: _EmbeddedRedis | None, *, mcp_port: int | None = None
) -> dict[str, str]:
    """The children read the same file and environment as this process; only what the command line
    overrode, the embedded Redis and the MCP server's port are added (named in MIMIR_SET_BY_SUPERVISOR, so
    that ``GET /api/v1/config`` shows those as overrides, not as the user's environment)."""
    env = dict(os.environ)
    given = overridden_environment_variables(settings)
    added = {"REDIS_URL": redis.url} if redis is not None else {}
    if mcp_port is not None:
        added["MIMIR_MCP_PORT"] = str(mcp_port)  # the API reports it, the mcp child listens on it
    if added:
        given.update(added)
        given[SUPERVISOR_VARIABLES] = ",".join(filter(None, [given[SUPERVISOR_VARIABLES], *added]))
    env.update(given)
    if config_file:
        env["MIMIR_CONFIG"] = str(config_file.resolve())
    return env


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
    # In our process group (a signal to the group reaches all) and killed by the kernel if we die.
    child.process = subprocess.Popen(
        child.argv, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_this_process()
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


def is_ui_built() -> bool:
    """Whether the API will serve the web UI (``frontend/dist`` exists)."""
    from backend.web_ui import DEFAULT_DIST  # the CLI is the composition root: it may know the API

    return (DEFAULT_DIST / "index.html").is_file()


def _print_banner(
    settings: Settings,
    api_url: str,
    redis: _EmbeddedRedis | None,
    children: list[_Child],
    new_admin_key: str | None,
    mcp: McpSettings,
) -> None:
    workers = [c for c in children if c.name.startswith("worker")]
    lines = [
        "Mimir AIP is running.",
        f"  Web UI:     {api_url}/" if is_ui_built() else "  Web UI:     not built (needs Node 20+)",
        f"  API:        {api_url}/api/v1",
        f"  API docs:   {api_url}/api/docs   (OpenAPI: {api_url}/api/openapi.json)",
        f"  Health:     {api_url}/health",
        f"  Data dir:   {settings.data_dir.resolve()}   (locked by pid {os.getpid()})",
        f"  Database:   {settings.resolved_database_url}",
        f"  Redis:      {_redis_line(settings, redis)}",
        f"  Files:      steps read from {', '.join(str(p) for p in settings.resolved_file_directories)}",
        f"              and write to {settings.resolved_output_dir}",
        f"  Workers:    {len(workers)} x concurrency {settings.worker_concurrency} "
        f"(pids {', '.join(str(c.process.pid) for c in workers if c.process)})"
        if workers
        else "  Workers:    none here (--workers 0): jobs wait in Redis for workers started elsewhere",
        f"  MCP:        http://{mcp.host}:{mcp.port}/mcp   (AI assistants; stdio: mimir mcp --api-key KEY)"
        if mcp.enabled
        else "  MCP:        HTTP off (mcp.enabled); stdio: mimir mcp --api-key KEY",
        "  Beat:       1 scheduler (fires cron schedules; /api/v1/scheduler/jobs)",
        f"  Backups:    {settings.backups_dir} (SQLite; also on clean stop)"
        if settings.backups_enabled
        else "  Backups:    off (scheduler.backups_enabled)",
        f"  Logs:       {settings.data_dir / 'logs'}"
        + (f" and {settings.log_file}" if settings.log_file else ""),
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


def _redis_line(settings: Settings, redis: _EmbeddedRedis | None) -> str:
    if redis is None:
        return settings.resolved_redis_url
    pid = redis.process.pid if redis.process else "?"
    return f"{redis.url}   (embedded, pid {pid}; restarted if it dies)"
