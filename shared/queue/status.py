"""The queue's state as one mapping: jobs by status, live workers, broker queue lengths."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import redis

from shared.db.engine import Database
from shared.jobs.service import count_by_status
from shared.queue.celery_app import PIPELINE_QUEUE
from shared.queue.workers import live_workers


def queue_status(
    db: Database, client: redis.Redis, queues: Sequence[str] = (PIPELINE_QUEUE,)
) -> dict[str, Any]:
    """Counts from the database; workers and the length of each of ``queues`` (the installed job kinds')
    from Redis (None when Redis is down)."""
    status: dict[str, Any] = dict(count_by_status(db))
    try:
        workers = live_workers(client)
        status["workers"] = workers
        status["workers_online"] = len(workers)
        status["queues"] = {queue: int(client.llen(queue)) for queue in queues}
    except redis.RedisError:
        status["workers"] = []
        status["workers_online"] = None
        status["queues"] = dict.fromkeys(queues)
    return status
