"""The baseline: a bare Celery app with a no-op task, on the same Redis, with the same delivery settings.

Started by ``bench.overhead`` as ``celery -A bench.raw_celery worker``; reads ``REDIS_URL``.
"""

from __future__ import annotations

import os

from celery import Celery

from shared.plugins.builtin.utility import _fib

app = Celery("raw", broker=os.environ.get("REDIS_URL"), backend=os.environ.get("REDIS_URL"))
app.conf.update(
    task_serializer="json",
    accept_content=["json"],
    result_serializer="json",
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_default_queue="raw.noop",
    broker_connection_retry_on_startup=True,
)


@app.task(name="raw.noop")
def noop() -> None:
    """Nothing: the cost measured is Celery's own."""


@app.task(name="raw.fib")
def fib(n: int) -> int:
    """fib(n) the slow way, as the pipeline step ``Utility.fib`` computes it."""
    return _fib(n)
