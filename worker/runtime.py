"""What one worker process holds: built lazily in the process that runs tasks (after the pool forks)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass

import redis
from celery import Celery

from shared.config import Settings
from shared.jobs.runner import JobRuntime
from shared.services import Services, build_services
from shared.slices import Platform

_runtime: WorkerRuntime | None = None

# A pool process runs one job at a time; its lease renewer is the only other user of the database.
WORKER_DB_POOL_SIZE = 2
WORKER_DB_MAX_OVERFLOW = 2


@dataclass
class WorkerRuntime:
    """The services of one worker process and its id."""

    services: Services
    pid: int
    hostname: str

    @property
    def jobs(self) -> JobRuntime:
        return self.services.jobs

    @property
    def redis(self) -> redis.Redis:
        return self.services.redis

    @property
    def worker_id(self) -> str:
        """This process's id as recorded on the jobs it runs: ``host:pid``."""
        return f"{self.hostname}:{self.pid}"


def settings_of(app: Celery) -> Settings:
    """The settings the worker app was built with."""
    settings = app.conf.get("mimir_settings")
    if not isinstance(settings, Settings):
        raise RuntimeError("the Celery app was not built by worker.app.create_worker_app")
    return settings


def platform_of(app: Celery) -> Platform:
    """The platform the worker app was built with (loaded once, in the worker's main process)."""
    platform = app.conf.get("mimir_platform")
    if not isinstance(platform, Platform):
        raise RuntimeError("the Celery app was not built by worker.app.create_worker_app")
    return platform


def worker_runtime(app: Celery) -> WorkerRuntime:
    """This process's runtime, built on first use (and built again in a forked child)."""
    global _runtime
    if _runtime is None or _runtime.pid != os.getpid():
        _runtime = WorkerRuntime(
            services=build_services(
                settings_of(app),
                platform_of(app),
                db_pool_size=WORKER_DB_POOL_SIZE,
                db_max_overflow=WORKER_DB_MAX_OVERFLOW,
            ),
            pid=os.getpid(),
            hostname=socket.gethostname(),
        )
    return _runtime
