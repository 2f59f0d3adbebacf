"""``mimir up``, ``mimir api`` and ``mimir worker``."""

from __future__ import annotations

import logging
import os
import socket
import sys
from pathlib import Path
from typing import Any

import click

from mimir.cli.options import (
    CONFIG_OPTION,
    DATA_DIR_OPTION,
    config_file_to_read,
    require_existing_database,
    settings_from_options,
)
from shared.config import Settings
from shared.observability.logging import configure_logging


def record_metrics_in_shared_dir(settings: Settings) -> None:
    """Make this process and the ones it forks write metrics where the API's ``/metrics`` reads them.

    Called first, before anything records a metric (prometheus-client fixes a metric's storage when it is
    created)."""
    if settings.metrics_enabled:
        from shared.observability.metrics import enable_multiprocess

        enable_multiprocess(settings.resolved_metrics_dir)


def _log_level(settings: Settings, option: str | None) -> str:
    """The ``--loglevel`` given, else ``logging.level``, checked like the setting."""
    level = (option or settings.log_level).lower()
    if level not in ("debug", "info", "warning", "error", "critical"):
        raise click.BadParameter(f"--loglevel: expected debug, info, warning or error, got {option!r}")
    return level.upper()


_PER_TASK_LOGGERS = ("celery.app.trace", "celery.worker.strategy")


def _log_through_mimir(settings: Settings, level: str) -> None:
    """Have Celery leave logging to us: on its ``setup_logging`` signal it configures nothing itself."""
    from celery.signals import setup_logging

    def configure(**_: Any) -> None:
        configure_logging(settings, level=level)
        if level.upper() == "INFO":
            # Celery's two lines per task ("received", "succeeded in") repeat what the job's own log says
            # and cost the worker CPU on every job; they still show at debug level.
            for name in _PER_TASK_LOGGERS:
                logging.getLogger(name).setLevel(logging.WARNING)

    setup_logging.connect(configure, weak=False, dispatch_uid="mimir-logging")


def _pool_processes_die_with_worker() -> None:
    """A job process whose worker was SIGKILLed has nobody to report to: the kernel ends it too (its job
    is recovered from the database when its lease expires)."""
    from celery.signals import worker_process_init

    from mimir.cli.lifetime import die_with_parent

    def on_start(**_: Any) -> None:
        die_with_parent()

    worker_process_init.connect(on_start, weak=False, dispatch_uid="mimir-die-with-worker")


@click.command("api")
@CONFIG_OPTION
@click.option("--host", help="Address to bind (default: server.host, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default: server.port, 8080).")
def api_command(config_file: Path | None, host: str | None, port: int | None) -> None:
    """Serve the HTTP API (migrates the database first)."""
    from mimir.cli.http_server import serve_api
    from shared.db.migrate import upgrade_to_head
    from shared.security.bootstrap import AUTH_DISABLED_WARNING, ensure_admin_access
    from shared.services import build_services

    settings = settings_from_options(config_file, api_host=host, api_port=port)
    record_metrics_in_shared_dir(settings)
    configure_logging(settings)
    upgrade_to_head(settings.resolved_database_url)
    services = build_services(settings)
    ensure_admin_access(services.db, settings, generate=False)
    services.close()  # the API's workers build their own after gunicorn forks them
    if not settings.auth_enabled:
        click.echo(AUTH_DISABLED_WARNING, err=True)
    serve_api(settings)


@click.command("worker")
@CONFIG_OPTION
@click.option("--concurrency", "-c", type=int, help="Job processes (default: WORKER_CONCURRENCY, 2).")
@click.option("--name", "-n", help="Worker name (default: worker-<pid>@<host>).")
@click.option("--loglevel", "-l", help="debug, info, warning or error (default: logging.level, info).")
@click.option(
    "--queues", "-Q", help="Comma-separated queues to consume (default: every installed job kind's)."
)
@click.option(
    "--pool",
    type=click.Choice(["prefork", "threads"]),
    default="prefork",
    show_default=True,
    help="Job processes (prefork) or threads in one process (for I/O-bound steps; CPU-bound steps share "
    "one core).",
)
@click.option(
    "--prefetch-multiplier",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Messages each job process reserves ahead (1: a long job never holds others back).",
)
def worker_command(
    config_file: Path | None,
    concurrency: int | None,
    name: str | None,
    loglevel: str | None,
    queues: str | None,
    pool: str,
    prefetch_multiplier: int,
) -> None:
    """Run a Celery worker that executes queued jobs."""
    from shared.slices import SliceError, load_platform
    from worker.app import create_worker_app

    settings = settings_from_options(config_file, worker_concurrency=concurrency)
    try:
        platform = load_platform(settings.extra_slices)
    except SliceError as exc:
        raise click.ClickException(f"platform.extra_slices: {exc.message}") from exc
    installed = platform.job_kinds.queues
    consumed = [q.strip() for q in (queues or ",".join(installed)).split(",") if q.strip()]
    unknown = sorted(set(consumed) - set(installed))
    if unknown or not consumed:
        raise click.BadParameter(
            f"{', '.join(unknown) or 'none given'}; installed job kinds use: {', '.join(installed)}",
            param_hint="--queues",
        )
    record_metrics_in_shared_dir(settings)
    level = _log_level(settings, loglevel)
    app = create_worker_app(settings, platform)
    _log_through_mimir(settings, level)
    _pool_processes_die_with_worker()
    app.worker_main(
        [
            "worker",
            f"--loglevel={level}",
            f"--concurrency={settings.worker_concurrency}",
            f"--queues={','.join(consumed)}",
            f"--hostname={name or f'worker-{os.getpid()}@{socket.gethostname()}'}",
            "--without-gossip",
            "--without-mingle",
            f"--pool={pool}",
            f"--prefetch-multiplier={prefetch_multiplier}",
        ]
    )


@click.command("up")
@CONFIG_OPTION
@click.option(
    "--workers",
    type=int,
    default=2,
    show_default=True,
    help="Worker processes to start (0: no workers here, e.g. when they run on other machines).",
)
@click.option(
    "--concurrency", type=int, help="Job processes per worker (default: queue.worker_concurrency, 2)."
)
@click.option("--port", type=int, help="API port (default: server.port, 8080).")
@click.option("--host", help="API address (default: server.host, 127.0.0.1).")
@DATA_DIR_OPTION
def up_command(
    config_file: Path | None,
    workers: int,
    concurrency: int | None,
    port: int | None,
    host: str | None,
    data_dir: Path | None,
) -> None:
    """Run everything on this machine: Redis (unless REDIS_URL), the database, the API and N workers.

    Settings come from --config (or MIMIR_CONFIG, or ./config.yaml), then the environment, then these
    options. One `mimir up` per data dir: a second one on the same data dir is refused. If this process
    dies, its children die with it."""
    from mimir.cli.supervisor import run_embedded

    if workers < 0:
        raise click.BadParameter("--workers must be 0 or more")
    if concurrency is not None and concurrency < 1:
        raise click.BadParameter("--concurrency must be at least 1")
    settings = settings_from_options(
        config_file,
        api_port=port,
        api_host=host,
        data_dir=data_dir.resolve() if data_dir else None,
        worker_concurrency=concurrency,
    )
    sys.exit(run_embedded(settings, workers=workers, config_file=config_file_to_read(config_file)))


@click.command("beat")
@CONFIG_OPTION
@click.option("--loglevel", "-l", help="debug, info, warning or error (default: logging.level, info).")
def beat_command(config_file: Path | None, loglevel: str | None) -> None:
    """Run Celery beat with the database scheduler (any number may run; one leads and fires)."""
    from shared.queue.celery_app import create_celery
    from shared.services import build_services
    from worker.beat import DatabaseScheduler

    settings = settings_from_options(config_file)
    record_metrics_in_shared_dir(settings)
    level = _log_level(settings, loglevel)
    services = build_services(settings)  # the process's one platform, database and Redis client
    app = create_celery(settings)
    app.conf.mimir_settings = settings
    app.conf.mimir_services = services
    _log_through_mimir(settings, level)
    try:
        app.Beat(
            scheduler=DatabaseScheduler, loglevel=level, max_interval=settings.scheduler_tick_seconds
        ).run()
    finally:
        services.close()


@click.command("backup")
@CONFIG_OPTION
@DATA_DIR_OPTION
def backup_command(config_file: Path | None, data_dir: Path | None) -> None:
    """Write a consistent copy of the SQLite database into the data dir's backups folder now."""
    from shared.scheduling.upkeep import backup_sqlite
    from shared.services import build_services

    settings = settings_from_options(config_file, data_dir=data_dir)
    require_existing_database(settings)
    services = build_services(settings)
    try:
        if not services.db.is_sqlite:
            raise click.ClickException(
                "the database is PostgreSQL: back it up with PostgreSQL's own tools (pg_dump, base backups)"
            )
        target = backup_sqlite(services.db, settings.backups_dir, settings.backups_keep)
    finally:
        services.close()
    click.echo(f"backup written: {target}")
