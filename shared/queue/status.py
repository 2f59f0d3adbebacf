"""The queue's state as one mapping: jobs by status, live workers, broker queue lengths."""

from __future__ import annotations

from typing import Any

import redis

from shared.db.engine import Database
from shared.jobs.service import count_by_status
from shared.queue.celery_app import PIPELINE_QUEUE
from shared.queue.workers import live_workers


def queue_status(db: Database, client: redis.Redis) -> dict[str, Any]:
    """Counts from the database; workers and queue lengths from Redis (None when Redis is down)."""
    status: dict[str, Any] = dict(count_by_status(db))
    try:
        workers = live_workers(client)
        status["workers"] = workers
        status["workers_online"] = len(workers)
        status["queues"] = {PIPELINE_QUEUE: int(client.llen(PIPELINE_QUEUE))}
    except redis.RedisError:
        status["workers"] = []
        status["workers_online"] = None
        status["queues"] = {PIPELINE_QUEUE: None}
    return status
