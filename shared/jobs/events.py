"""Job-finished notifications over Redis pub/sub, and waiting for a job without polling in a loop.

Workers publish ``{job_id, status}`` on one channel when a job reaches a terminal status, and on another
while it runs (each time its progress is written, so a reader of the row sees what the message announced;
the API's event streams listen to both, waiters only to the first). Each API process
keeps one subscriber thread for that channel and wakes the requests waiting on that job; the database stays
the truth (a waiter re-reads the row when woken, and every few seconds in case a message was lost).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import defaultdict

import redis

from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.records import JobRecord
from shared.jobs.status import JobStatus

log = logging.getLogger(__name__)

FINISHED_CHANNEL = "mimir:jobs:finished"
PROGRESS_CHANNEL = "mimir:jobs:progress"
SAFETY_RECHECK_SECONDS = 5.0
UNSUBSCRIBED_RECHECK_SECONDS = 0.5


def publish_job_finished(client: redis.Redis, job_id: str, status: JobStatus) -> None:
    """Tell listeners the job's status: a terminal one on ``FINISHED_CHANNEL`` (waiters and streams), a
    running one on ``PROGRESS_CHANNEL`` (streams only, so progress does not wake waiters). Losing a message
    only delays a waiter until its next recheck, and a stream's client until its next refetch."""
    channel = FINISHED_CHANNEL if status.is_terminal else PROGRESS_CHANNEL
    try:
        client.publish(channel, json.dumps({"job_id": job_id, "status": status.value}))
    except redis.RedisError:
        log.warning("could not publish the %s status of job %s", status.value, job_id, exc_info=True)


class JobWaiter:
    """Blocks callers until a job is terminal or a timeout passes; one subscriber thread per process."""

    def __init__(self, redis_url: str) -> None:
        self._redis_url = redis_url
        self._lock = threading.Lock()
        self._events: dict[str, set[threading.Event]] = defaultdict(set)
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
            while True:
                job = service.get_job(db, job_id)
                remaining = deadline - time.monotonic()
                if JobStatus(job.status).is_terminal or remaining <= 0:
                    return job
                recheck = (
                    SAFETY_RECHECK_SECONDS if self._is_subscribed.is_set() else UNSUBSCRIBED_RECHECK_SECONDS
                )
                event.wait(min(remaining, recheck))
                event.clear()
        finally:
            with self._lock:
                waiters = self._events.get(job_id)
                if waiters is not None:
                    waiters.discard(event)
                    if not waiters:
                        del self._events[job_id]

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
            job_id = json.loads(data)["job_id"]
        except (ValueError, KeyError, TypeError):
            return
        with self._lock:
            events = list(self._events.get(job_id, ()))
        for event in events:
            event.set()

    def _wake_all(self) -> None:
        with self._lock:
            events = [e for group in self._events.values() for e in group]
        for event in events:
            event.set()
