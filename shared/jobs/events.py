"""Job-finished notifications over Redis pub/sub, and waiting for a job without polling in a loop.

Workers publish ``{job_id, status, job}`` on one channel when a job reaches a terminal status, ``job`` being
the finished row as the guarded finish wrote it (``UPDATE … RETURNING``; a terminal row never changes
again, so it is the truth). Each API process keeps one subscriber thread for that channel and wakes the
requests waiting on that job, which answer from ``job`` without reading the database. A notification
without ``job`` (too large to send, or a cancel from the API) makes them re-read the row; a lost one costs
a recheck every few seconds.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from functools import cache
from typing import Any, cast

import redis
from sqlalchemy import Table

from shared.db.base import UTCDateTime
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.records import JobRecord, detached_job
from shared.jobs.status import JobStatus

log = logging.getLogger(__name__)

FINISHED_CHANNEL = "mimir:jobs:finished"
SAFETY_RECHECK_SECONDS = 5.0
UNSUBSCRIBED_RECHECK_SECONDS = 0.5
# Every API process receives every notification: a finished row larger than this (a big output context)
# is not sent; its waiters read it from the database instead.
MAX_PAYLOAD_BYTES = 64 * 1024


def publish_job_finished(
    client: redis.Redis, job_id: str, status: JobStatus, job: Mapping[str, Any] | None = None
) -> None:
    """Tell waiters the job is terminal, with its finished row's columns when given (and small enough);
    losing this message only delays them until their next recheck."""
    message = {"job_id": job_id, "status": status.value}
    text = json.dumps(message)
    if job is not None:
        with_job = json.dumps({**message, "job": job}, default=_json_default)
        if len(with_job) <= MAX_PAYLOAD_BYTES:
            text = with_job
    try:
        client.publish(FINISHED_CHANNEL, text)
    except redis.RedisError:
        log.warning("could not publish the end of job %s", job_id, exc_info=True)


def job_from_columns(columns: Mapping[str, Any]) -> JobRecord:
    """A (detached) job row from the columns a finish notification carried."""
    dated = _datetime_columns()
    values = {
        name: datetime.fromisoformat(value) if name in dated and isinstance(value, str) else value
        for name, value in columns.items()
        if name in _column_names()
    }
    return detached_job(values)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@cache
def _column_names() -> frozenset[str]:
    return frozenset(cast(Table, JobRecord.__table__).c.keys())


@cache
def _datetime_columns() -> frozenset[str]:
    table = cast(Table, JobRecord.__table__)
    return frozenset(c.name for c in table.c if isinstance(c.type, UTCDateTime))


class JobWaiter:
    """Blocks callers until a job is terminal or a timeout passes; one subscriber thread per process."""

    def __init__(self, redis_url: str) -> None:
        self._redis_url = redis_url
        self._lock = threading.Lock()
        self._events: dict[str, set[threading.Event]] = defaultdict(set)
        # Finished rows carried by notifications, kept while someone waits on that job.
        self._finished: dict[str, Mapping[str, Any]] = {}
        self._thread: threading.Thread | None = None
        self._is_subscribed = threading.Event()
        self._stopped = threading.Event()

    def wait(self, db: Database, job_id: str, timeout: float) -> JobRecord:
        """The job as soon as it is terminal, or as it stands when ``timeout`` seconds have passed."""
        self._ensure_listening()
        deadline = time.monotonic() + max(timeout, 0.0)
        event = threading.Event()
        with self._lock:
            self._events[job_id].add(event)
        try:
            job = service.get_job(db, job_id)
            while True:
                remaining = deadline - time.monotonic()
                if JobStatus(job.status).is_terminal or remaining <= 0:
                    return job
                recheck = (
                    SAFETY_RECHECK_SECONDS if self._is_subscribed.is_set() else UNSUBSCRIBED_RECHECK_SECONDS
                )
                event.wait(min(remaining, recheck))
                event.clear()
                with self._lock:
                    columns = self._finished.get(job_id)
                job = job_from_columns(columns) if columns is not None else service.get_job(db, job_id)
        finally:
            with self._lock:
                waiters = self._events.get(job_id)
                if waiters is not None:
                    waiters.discard(event)
                    if not waiters:
                        del self._events[job_id]
                        self._finished.pop(job_id, None)

    def close(self) -> None:
        """Stop the subscriber thread."""
        self._stopped.set()

    def _ensure_listening(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._listen_forever, name="job-waiter", daemon=True)
                self._thread.start()

    def _listen_forever(self) -> None:
        backoff = 0.2
        while not self._stopped.is_set():
            client = redis.Redis.from_url(self._redis_url, socket_keepalive=True, health_check_interval=10)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(FINISHED_CHANNEL)
                self._is_subscribed.set()
                self._wake_all()  # anything that finished while we were away is in the database
                backoff = 0.2
                while not self._stopped.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message and message.get("type") == "message":
                        self._wake(message["data"])
            except (redis.RedisError, OSError):
                log.warning("job waiter lost its Redis subscription; retrying", exc_info=True)
            finally:
                self._is_subscribed.clear()
                pubsub.close()
                client.close()
            self._stopped.wait(backoff)
            backoff = min(backoff * 2, 5.0)

    def _wake(self, data: bytes | str) -> None:
        try:
            message = json.loads(data)
            job_id = message["job_id"]
            columns = message.get("job")
        except (ValueError, KeyError, TypeError, AttributeError):
            return
        with self._lock:
            events = list(self._events.get(job_id, ()))
            if events and isinstance(columns, dict) and columns.get("id") == job_id:
                self._finished[job_id] = columns
        for event in events:
            event.set()

    def _wake_all(self) -> None:
        with self._lock:
            events = [e for group in self._events.values() for e in group]
        for event in events:
            event.set()
