"""What one worker process holds: built lazily in the process that runs tasks (after the pool forks)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from functools import partial

import redis
from celery import Celery

from shared.config import Settings
from shared.db.engine import Database
from shared.jobs.events import publish_job_finished
from shared.jobs.runner import JobRuntime

_runtime: WorkerRuntime | None = None


@dataclass
class WorkerRuntime:
    """The job runtime and Redis client of one process."""

    jobs: JobRuntime
    redis: redis.Redis
    pid: int
    hostname: str

    @property
    def worker_id(self) -> str:
        """This process's id as recorded on the jobs it runs: ``host:pid``."""
        return f"{self.hostname}:{self.pid}"


def settings_of(app: Celery) -> Settings:
    """The settings the worker app was built with."""
    settings = app.conf.get("mimir_settings")
    if not isinstance(settings, Settings):
        raise RuntimeError("the Celery app was not built by worker.celery_app.create_worker_app")
    return settings


def worker_runtime(app: Celery) -> WorkerRuntime:
    """This process's runtime, built on first use (and built again in a forked child)."""
    global _runtime
    if _runtime is None or _runtime.pid != os.getpid():
        settings = settings_of(app)
        client = redis.Redis.from_url(settings.resolved_redis_url)
        db = Database.connect(settings.resolved_database_url, pool_size=2, max_overflow=2)
        _runtime = WorkerRuntime(
            jobs=JobRuntime.from_settings(settings, db, partial(publish_job_finished, client)),
            redis=client,
            pid=os.getpid(),
            hostname=socket.gethostname(),
        )
    return _runtime
