"""The services one process holds, built in one place for every front door.

The API (``backend.services``), the workers (``worker.runtime``), the CLI and later the MCP server each call
:func:`build_services` and add only what is theirs (the API its job waiter, a worker its id). Nothing here
connects: the database pool, the Redis client and the Celery producer open connections on first use, so a
process may build its services before it forks only if it builds them again after (as the worker does).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

import redis
from celery import Celery

from shared.config import Settings
from shared.db.engine import Database
from shared.jobs.events import publish_job_finished
from shared.jobs.runner import JobRuntime, run_environment
from shared.plugins.registry import PluginRegistry
from shared.queue.celery_app import create_celery
from shared.queue.dispatch import close_publisher, publish_job
from shared.slices import Platform, load_platform

# A Redis call that cannot connect in 2 s, or gets no answer in 5 s, fails rather than hangs a request or a
# job's last write; callers treat a RedisError as "try again later".
REDIS_CONNECT_TIMEOUT_SECONDS = 2.0
REDIS_SOCKET_TIMEOUT_SECONDS = 5.0
REDIS_POOL_SIZE = 128
REDIS_POOL_WAIT_SECONDS = 10.0

S = TypeVar("S")


@dataclass
class Services:
    """Settings, installed slices, database, Redis, Celery producer, plugins and job runtime of a process."""

    settings: Settings
    platform: Platform
    db: Database
    redis: redis.Redis
    celery: Celery
    plugins: PluginRegistry
    jobs: JobRuntime
    sections: dict[type[Any], Any] = field(default_factory=dict)

    def section(self, section: type[S]) -> S:
        """The values of a slice's settings section (the dataclass it installed)."""
        value: S = self.sections[section]
        return value

    def close(self) -> None:
        """Close the Redis and database connections (the Celery producer's pool goes with its app)."""
        self.redis.close()
        close_publisher(self.celery)
        self.db.dispose()


def build_services(
    settings: Settings,
    platform: Platform | None = None,
    *,
    db_pool_size: int | None = None,
    db_max_overflow: int | None = None,
) -> Services:
    """The services for ``settings`` and the slices of ``platform`` (default: the listed slices, then
    ``settings.extra_slices``).

    ``db_pool_size``/``db_max_overflow`` size the database pool where the default (SQLAlchemy's) is too
    many for the process, e.g. a worker's pool process runs one job at a time."""
    platform = platform or load_platform(settings.extra_slices)
    sections = platform.settings_sections.read(settings.sections)  # a bad key stops the start here
    pool: dict[str, int] = {}
    if db_pool_size is not None:
        pool["pool_size"] = db_pool_size
    if db_max_overflow is not None:
        pool["max_overflow"] = db_max_overflow
    db = Database.connect(settings.resolved_database_url, **pool)
    # A blocking pool: past its size a caller waits briefly for a connection instead of failing ("Too many
    # connections"), which under a burst of API requests let calls past the rate limiter unchecked.
    client = redis.Redis(
        connection_pool=redis.BlockingConnectionPool.from_url(
            settings.resolved_redis_url,
            max_connections=REDIS_POOL_SIZE,
            timeout=REDIS_POOL_WAIT_SECONDS,
            socket_connect_timeout=REDIS_CONNECT_TIMEOUT_SECONDS,
            socket_timeout=REDIS_SOCKET_TIMEOUT_SECONDS,
        )
    )
    plugins = PluginRegistry.default(settings.plugin_directories, platform=platform)
    celery = create_celery(settings)
    jobs = JobRuntime(
        db=db,
        registry=plugins,
        env=replace(run_environment(settings), database=db),  # for steps on stored things (twins)
        lease_seconds=settings.lease_seconds,
        job_timeout_seconds=settings.job_timeout_seconds,
        on_finished=partial(publish_job_finished, client),
        kinds=platform.job_kinds,
        publish=partial(publish_job, celery),
    )
    return Services(
        settings=settings,
        platform=platform,
        db=db,
        redis=client,
        celery=celery,
        plugins=plugins,
        jobs=jobs,
        sections=sections,
    )
