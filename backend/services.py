"""The services one API process holds, built by the app factory and found through ``current_app``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import partial

import redis
from celery import Celery
from flask import Flask, current_app

from backend.redis_clients import pooled_client
from shared.config import Settings
from shared.db.engine import Database
from shared.jobs.events import JobWaiter, publish_job_finished
from shared.jobs.runner import JobRuntime
from shared.queue.celery_app import create_celery

EXTENSION_KEY = "mimir"


@dataclass
class ApiServices:
    """Settings, database, broker producer, waiter and job runtime of this API process."""

    settings: Settings
    db: Database
    celery: Celery
    redis: redis.Redis
    waiter: JobWaiter
    runtime: JobRuntime
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def from_settings(cls, settings: Settings) -> ApiServices:
        """Services for ``settings``; nothing connects until first used."""
        db = Database.connect(settings.resolved_database_url)
        client = pooled_client(settings.resolved_redis_url, socket_connect_timeout=2, socket_timeout=5)
        return cls(
            settings=settings,
            db=db,
            celery=create_celery(settings),
            redis=client,
            waiter=JobWaiter(settings.resolved_redis_url),
            runtime=JobRuntime.from_settings(settings, db, partial(publish_job_finished, client)),
        )

    @property
    def uptime_seconds(self) -> float:
        """Seconds since this API process built its services."""
        return time.monotonic() - self.started

    def close(self) -> None:
        """Stop the waiter's subscriber and close the Redis and database connections."""
        self.waiter.close()
        self.redis.close()
        self.db.dispose()

    def init_app(self, app: Flask) -> None:
        """Attach to ``app``."""
        app.extensions[EXTENSION_KEY] = self


def services() -> ApiServices:
    """The services of the current app."""
    return current_app.extensions[EXTENSION_KEY]
