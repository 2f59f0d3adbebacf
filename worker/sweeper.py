"""A worker bootstep: one loop in each worker's main process that keeps the worker's heartbeat and runs
the recovery sweep every ``sweep_interval_seconds``, one sweep at a time across all workers (a Redis lock).
The sweep covers every installed job kind: it reads each kind's queue length and re-publishes each job to
its kind's queue."""

from __future__ import annotations

import logging
import os
import time
import uuid
from typing import Any

import redis
from celery import Celery, bootsteps
from sqlalchemy.pool import NullPool

from shared.config import Settings
from shared.db.engine import Database
from shared.jobs.kinds import JobKinds, UnknownJobKind
from shared.jobs.recovery import sweep_stalled_jobs
from shared.loops import LoopService
from shared.queue.dispatch import publish_job
from shared.queue.workers import HEARTBEAT_SECONDS, beat_heart, forget_worker
from worker.runtime import platform_of, settings_of

log = logging.getLogger(__name__)

SWEEP_LOCK_KEY = "mimir:sweeper:lock"


class WorkerHousekeeping(bootsteps.StartStopStep):
    """Starts the heartbeat-and-sweep loop with the worker and stops it with the worker."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self._loop: Housekeeping | None = None

    def start(self, worker: Any) -> None:
        self._loop = Housekeeping(worker.app, worker.hostname, worker.concurrency)
        self._loop.start()

    def stop(self, worker: Any) -> None:
        if self._loop is not None:
            self._loop.stop()


class Housekeeping(LoopService):
    """Every heartbeat: mark this worker alive; every ``sweep_interval_seconds``: try to sweep."""

    def __init__(self, app: Celery, hostname: str, concurrency: int) -> None:
        super().__init__("mimir-housekeeping", HEARTBEAT_SECONDS)
        self.app = app
        self.hostname = hostname
        self.info = {"pid": os.getpid(), "concurrency": concurrency}
        self.settings: Settings = settings_of(app)
        self.kinds: JobKinds = platform_of(app).job_kinds  # the worker's one platform
        self.token = uuid.uuid4().hex
        self.next_sweep = time.monotonic() + self.settings.sweep_interval_seconds

    def on_start(self) -> None:
        # NullPool: no connection stays open in this process while the pool forks new children.
        self.db = Database.connect(self.settings.resolved_database_url, poolclass=NullPool)
        self.client = redis.Redis.from_url(
            self.settings.resolved_redis_url, socket_timeout=5, socket_connect_timeout=2
        )

    def run_once(self) -> None:
        beat_heart(self.client, self.hostname, self.info)
        if time.monotonic() >= self.next_sweep:
            self.next_sweep = time.monotonic() + self.settings.sweep_interval_seconds
            sweep_once(self.app, self.db, self.client, self.settings, self.kinds, self.token)

    def on_stop(self) -> None:
        try:
            forget_worker(self.client, self.hostname)
        except redis.RedisError:
            pass
        self.db.dispose()
        self.client.close()


def sweep_once(
    app: Celery, db: Database, client: redis.Redis, settings: Settings, kinds: JobKinds, token: str
) -> None:
    """One recovery sweep, if no other worker holds the sweep lock."""
    lock_ms = int(settings.sweep_interval_seconds * 900)
    if not client.set(SWEEP_LOCK_KEY, token, nx=True, px=lock_ms):
        return
    lengths = {queue: int(client.llen(queue)) for queue in kinds.queues}

    def publish(job_id: str, kind_name: str) -> bool:
        try:
            queue = kinds.get(kind_name).queue
        except UnknownJobKind:
            log.warning("job %s is of kind %r, which this worker does not install", job_id, kind_name)
            return False
        return publish_job(app, job_id, queue)

    report = sweep_stalled_jobs(
        db,
        publish=publish,
        queue_lengths={kind.name: lengths[kind.queue] for kind in kinds},
        requeue_after_seconds=settings.requeue_after_seconds,
    )
    if report.requeued_expired or report.gave_up or report.republished:
        log.warning(
            "recovery sweep: %d expired leases requeued, %d jobs gave up, %d republished",
            len(report.requeued_expired),
            len(report.gave_up),
            len(report.republished),
        )
