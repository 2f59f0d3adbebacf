"""Job-finished notifications over Redis pub/sub, and waiting for a job without polling in a loop.

Workers publish ``{job_id, status}`` on a progress channel while a job runs (each time its progress is
written; the API's event streams listen to it, waiters do not), and ``{job_id, status, job}`` on another
when it reaches a terminal status, ``job`` being the finished row as the guarded finish wrote it (``UPDATE …
RETURNING``; a terminal row never changes again, so it is the truth). Each API process keeps one subscriber
thread for that channel and wakes the requests waiting on that job, which answer from ``job`` without
reading the database; a notification without ``job`` (too large to send, or a cancel from the API) makes
them re-read the row. In case a message was lost, one recheck thread asks the database every few seconds
which of the awaited jobs are finished, in one query for all of them: a thousand held waits cost one query
per interval, not a thousand.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, cast

import redis
from sqlalchemy import Table, select
from sqlalchemy.exc import SQLAlchemyError

from shared.db.base import UTCDateTime
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.records import JobRecord, detached_job
from shared.jobs.status import TERMINAL_STATUSES, JobStatus
from shared.observability import metrics

log = logging.getLogger(__name__)

FINISHED_CHANNEL = "mimir:jobs:finished"
PROGRESS_CHANNEL = "mimir:jobs:progress"
SAFETY_RECHECK_SECONDS = 5.0
UNSUBSCRIBED_RECHECK_SECONDS = 0.5
# How often a waiter asks whether its caller is still there: a client that goes away frees its request
# within this (the check is one non-blocking socket peek).
CALLER_CHECK_SECONDS = 0.5
RECHECK_BATCH = 500  # job ids per recheck query (keeps the IN list well inside every database's limits)
# Every API process receives every notification: a finished row larger than this (a big output context)
# is not sent; its waiters read it from the database instead.
MAX_PAYLOAD_BYTES = 64 * 1024


def publish_job_finished(
    client: redis.Redis, job_id: str, status: JobStatus, job: Mapping[str, Any] | None = None
) -> None:
    """Tell listeners the job's status: a terminal one on ``FINISHED_CHANNEL`` (waiters and streams), with
    its finished row's columns when given and small enough; a running one on ``PROGRESS_CHANNEL`` (streams
    only, so progress does not wake waiters). Losing a message only delays a waiter until its next recheck,
    and a stream's client until its next refetch."""
    channel = FINISHED_CHANNEL if status.is_terminal else PROGRESS_CHANNEL
    message = {"job_id": job_id, "status": status.value}
    text = json.dumps(message)
    if job is not None and status.is_terminal:
        with_job = json.dumps({**message, "job": job}, default=_json_default)
        if len(with_job) <= MAX_PAYLOAD_BYTES:
            text = with_job
    try:
        client.publish(channel, text)
    except redis.RedisError:
        log.warning("could not publish the %s status of job %s", status.value, job_id, exc_info=True)


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


def _finished_among(db: Database, job_ids: list[str]) -> list[str]:
    """Those of ``job_ids`` whose job is terminal."""
    terminal = [status.value for status in TERMINAL_STATUSES]
    finished: list[str] = []
    with db.reads() as session:
        for start in range(0, len(job_ids), RECHECK_BATCH):
            batch = job_ids[start : start + RECHECK_BATCH]
            query = select(JobRecord.id).where(JobRecord.id.in_(batch), JobRecord.status.in_(terminal))
            finished += session.execute(query).scalars()
    return finished


def _pause(event: threading.Event, seconds: float, should_stop: Callable[[], bool] | None) -> bool:
    """Wait up to ``seconds`` for ``event``; False as soon as ``should_stop`` says to give up."""
    if should_stop is None:
        event.wait(seconds)
        return True
    until = time.monotonic() + seconds
    while (left := until - time.monotonic()) > 0:
        if event.wait(min(left, CALLER_CHECK_SECONDS)):
            return True
        if should_stop():
            return False
    return True


class JobWaiter:
    """Blocks callers until a job is terminal or a timeout passes; one subscriber thread and one recheck
    thread per process."""

    def __init__(self, redis_url: str) -> None:
        self._redis_url = redis_url
        self._lock = threading.Lock()
        self._events: dict[str, set[threading.Event]] = defaultdict(set)
        # Finished rows carried by notifications, kept while someone waits on that job.
        self._finished: dict[str, Mapping[str, Any]] = {}
        self._threads: list[threading.Thread] = []
        self._db: Database | None = None
        self._is_subscribed = threading.Event()
        self._stopped = threading.Event()

    def wait(
        self,
        db: Database,
        job_id: str,
        timeout: float,
        *,
        should_stop: Callable[[], bool] | None = None,
    ) -> JobRecord:
        """The job as soon as it is terminal, or as it stands when ``timeout`` seconds have passed or
        ``should_stop`` (asked every ``CALLER_CHECK_SECONDS``) says the caller has gone away."""
        self._db = db  # every caller of one process passes the same database; the recheck reads it
        self._ensure_listening()
        deadline = time.monotonic() + max(timeout, 0.0)
        event = threading.Event()
        with self._lock:
            self._events[job_id].add(event)
        metrics.wait_opened()
        try:
            job = service.get_job(db, job_id)
            while True:
                remaining = deadline - time.monotonic()
                if JobStatus(job.status).is_terminal or remaining <= 0:
                    return job
                if not _pause(event, remaining, should_stop):
                    return job  # nobody will read it: the point is to free the request now
                event.clear()
                with self._lock:
                    columns = self._finished.get(job_id)
                job = job_from_columns(columns) if columns is not None else service.get_job(db, job_id)
        finally:
            metrics.wait_closed()
            with self._lock:
                waiters = self._events.get(job_id)
                if waiters is not None:
                    waiters.discard(event)
                    if not waiters:
                        del self._events[job_id]
                        self._finished.pop(job_id, None)

    @property
    def open_waits(self) -> int:
        """How many callers of this process are waiting now."""
        with self._lock:
            return sum(len(events) for events in self._events.values())

    def close(self) -> None:
        """Stop the subscriber and recheck threads."""
        self._stopped.set()

    def _ensure_listening(self) -> None:
        with self._lock:
            if len(self._threads) == 2 and all(thread.is_alive() for thread in self._threads):
                return
            self._threads = [
                threading.Thread(target=self._listen_forever, name="job-waiter", daemon=True),
                threading.Thread(target=self._recheck_forever, name="job-waiter-recheck", daemon=True),
            ]
            for thread in self._threads:
                thread.start()

    def _recheck_forever(self) -> None:
        """Wake the waiters of jobs the database says are finished (their message may have been lost)."""
        while not self._stopped.wait(
            SAFETY_RECHECK_SECONDS if self._is_subscribed.is_set() else UNSUBSCRIBED_RECHECK_SECONDS
        ):
            self._wake_finished()

    def _wake_finished(self) -> None:
        with self._lock:
            job_ids = list(self._events)
        if not job_ids or self._db is None:
            return
        try:
            finished = _finished_among(self._db, job_ids)
        except SQLAlchemyError as exc:  # the database's outage is reported by /health, not here
            log.debug("job waiter recheck failed: %s", exc)
            return
        for job_id in finished:
            self._wake_job(job_id)

    def _listen_forever(self) -> None:
        backoff = 0.2
        while not self._stopped.is_set():
            client = redis.Redis.from_url(self._redis_url, socket_keepalive=True, health_check_interval=10)
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(FINISHED_CHANNEL)
                self._is_subscribed.set()
                self._wake_finished()  # what finished while we were away is in the database
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
        if isinstance(columns, dict) and columns.get("id") == job_id:
            with self._lock:
                if job_id in self._events:
                    self._finished[job_id] = columns
        self._wake_job(job_id)

    def _wake_job(self, job_id: str) -> None:
        with self._lock:
            events = list(self._events.get(job_id, ()))
        for event in events:
            event.set()
