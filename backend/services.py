"""The services one API process holds: the domain's (``shared.services``) plus the job waiter, found
through ``current_app``."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import redis
from celery import Celery
from flask import Flask, current_app

from shared.config import Settings
from shared.db.engine import Database
from shared.jobs.events import JobWaiter
from shared.jobs.runner import JobRuntime
from shared.plugins.registry import PluginRegistry
from shared.services import Services, build_services
from shared.slices import Platform

EXTENSION_KEY = "mimir"


@dataclass
class ApiServices:
    """The process's services and the waiter that wakes requests waiting on a job."""

    core: Services
    waiter: JobWaiter
    started: float = field(default_factory=time.monotonic)

    @classmethod
    def from_settings(cls, settings: Settings, platform: Platform | None = None) -> ApiServices:
        """Services for ``settings``; nothing connects until first used."""
        return cls(core=build_services(settings, platform), waiter=JobWaiter(settings.resolved_redis_url))

    @property
    def settings(self) -> Settings:
        return self.core.settings

    @property
    def platform(self) -> Platform:
        return self.core.platform

    @property
    def db(self) -> Database:
        return self.core.db

    @property
    def redis(self) -> redis.Redis:
        return self.core.redis

    @property
    def celery(self) -> Celery:
        return self.core.celery

    @property
    def plugins(self) -> PluginRegistry:
        return self.core.plugins

    @property
    def runtime(self) -> JobRuntime:
        return self.core.jobs

    @property
    def uptime_seconds(self) -> float:
        """Seconds since this API process built its services."""
        return time.monotonic() - self.started

    def close(self) -> None:
        """Stop the waiter's subscriber and close the Redis and database connections."""
        self.waiter.close()
        self.core.close()

    def init_app(self, app: Flask) -> None:
        """Attach to ``app``."""
        app.extensions[EXTENSION_KEY] = self


def services() -> ApiServices:
    """The services of the current app."""
    return current_app.extensions[EXTENSION_KEY]
