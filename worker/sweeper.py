"""A worker bootstep: one thread in each worker's main process that keeps the worker's heartbeat and runs
the recovery sweep every ``sweep_interval_seconds``, one sweep at a time across all workers (a Redis lock)."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from typing import Any

import redis
from celery import bootsteps
from sqlalchemy.pool import NullPool

from shared.config import Settings
from shared.db.engine import Database
from shared.jobs.recovery import sweep_stalled_jobs
from shared.queue.celery_app import PIPELINE_QUEUE
from shared.queue.dispatch import publish_pipeline_job
from shared.queue.workers import HEARTBEAT_SECONDS, beat_heart, forget_worker
from worker.runtime import settings_of

log = logging.getLogger(__name__)

SWEEP_LOCK_KEY = "mimir:sweeper:lock"


class WorkerHousekeeping(bootsteps.StartStopStep):
    """Starts the heartbeat-and-sweep thread with the worker and stops it with the worker."""

    requires = {"celery.worker.components:Pool"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, worker: Any) -> None:
        self._thread = threading.Thread(
            target=self._run,
            args=(worker.app, worker.hostname, worker.concurrency),
            name="mimir-housekeeping",
            daemon=True,
        )
        self._thread.start()

    def stop(self, worker: Any) -> None:
        self._stopped.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self, app: Any, hostname: str, concurrency: int) -> None:
        settings = settings_of(app)
        # NullPool: no connection stays open in this process while the pool forks new children.
        db = Database.connect(settings.resolved_database_url, poolclass=NullPool)
        client = redis.Redis.from_url(settings.resolved_redis_url, socket_timeout=5, socket_connect_timeout=2)
        token = uuid.uuid4().hex
        next_sweep = time.monotonic() + settings.sweep_interval_seconds
        info = {"pid": os.getpid(), "concurrency": concurrency}
        while not self._stopped.wait(HEARTBEAT_SECONDS):
            try:
                beat_heart(client, hostname, info)
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + settings.sweep_interval_seconds
                    _sweep_once(app, db, client, settings, token)
            except Exception:  # housekeeping must outlive a database or broker outage
                log.warning("worker housekeeping failed; will try again", exc_info=True)
        try:
            forget_worker(client, hostname)
        except redis.RedisError:
            pass
        db.dispose()
        client.close()


def _sweep_once(app: Any, db: Database, client: redis.Redis, settings: Settings, token: str) -> None:
    lock_ms = int(settings.sweep_interval_seconds * 900)
    if not client.set(SWEEP_LOCK_KEY, token, nx=True, px=lock_ms):
        return
    report = sweep_stalled_jobs(
        db,
        publish=lambda job_id: publish_pipeline_job(app, job_id),
        broker_queue_length=int(client.llen(PIPELINE_QUEUE)),
        requeue_after_seconds=settings.requeue_after_seconds,
    )
    if report.requeued_expired or report.gave_up or report.republished:
        log.warning(
            "recovery sweep: %d expired leases requeued, %d jobs gave up, %d republished",
            len(report.requeued_expired),
            len(report.gave_up),
            len(report.republished),
        )
