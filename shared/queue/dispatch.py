"""Handing job ids to the broker, after the job rows are committed.

A job's message is the Celery message ``send_task(RUN_JOB, [job_id], queue=<kind's queue>)`` would write
(protocol 2, JSON, the default exchange: an ``LPUSH`` onto the list named after the queue), pushed through
one Redis client kept per process and Celery app. ``send_task`` built a kombu producer and channel per
publish (about 1.5 ms of the API's CPU per job on the 2-core benchmark machine); the message is the same,
so real workers take it like any other. With Celery events on (Flower), publishing goes through
``send_task`` so Flower still sees each task sent.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import time
import uuid
from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

import redis
from celery import Celery
from kombu.exceptions import OperationalError

from shared.queue.celery_app import RUN_JOB

log = logging.getLogger(__name__)

PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.0, "interval_step": 0.2, "interval_max": 0.5}
_RETRY_DELAYS = (0.0, 0.2, 0.4)  # the same policy for the direct push: three tries within about 0.6 s
_clients: WeakKeyDictionary[Celery, redis.Redis] = WeakKeyDictionary()
POOL_SIZE = 128
POOL_WAIT_SECONDS = 10.0
# Celery's "gen<pid>@<host>" origin: computed per call because a forked child has its own pid.
_HOST = socket.gethostname()
_BODY_TAIL = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


def run_job_message(job_id: str, queue: str) -> bytes:
    """The kombu/Celery message (protocol 2, JSON) running ``job_id`` from ``queue``, as stored in Redis."""
    body = json.dumps([[job_id], {}, _BODY_TAIL]).encode()
    headers: dict[str, Any] = {
        "lang": "py",
        "task": RUN_JOB,
        "id": job_id,
        "shadow": None,
        "eta": None,
        "expires": None,
        "group": None,
        "group_index": None,
        "retries": 0,
        "timelimit": [None, None],
        "root_id": job_id,
        "parent_id": None,
        "argsrepr": repr([job_id]),
        "kwargsrepr": "{}",
        "origin": f"gen{os.getpid()}@{_HOST}",
        "ignore_result": None,
        "replaced_task_nesting": 0,
        "stamped_headers": None,
        "stamps": {},
    }
    message: dict[str, Any] = {
        "body": base64.b64encode(body).decode(),
        "content-encoding": "utf-8",
        "content-type": "application/json",
        "headers": headers,
        "properties": {
            "correlation_id": job_id,
            "reply_to": "",
            "delivery_mode": 2,
            "delivery_info": {"exchange": "", "routing_key": queue},
            "priority": 0,
            "body_encoding": "base64",
            "delivery_tag": str(uuid.uuid4()),
        },
    }
    return json.dumps(message).encode()


def publish_job(celery: Celery, job_id: str, queue: str) -> bool:
    """Send the job's message to ``queue`` (its kind's); True if the broker took it. A False job stays
    queued for the sweep."""
    return publish_jobs(celery, [(job_id, queue)]) == 1


def publish_jobs(celery: Celery, jobs: Sequence[tuple[str, str]]) -> int:
    """Send each ``(job_id, queue)``'s message in one round trip; how many the broker took (all or none).
    Jobs it did not take stay queued for the sweep."""
    if not jobs:
        return 0
    if celery.conf.task_send_sent_event:
        return sum(_send_task(celery, job_id, queue) for job_id, queue in jobs)
    client = _client(celery)
    for attempt, delay in enumerate(_RETRY_DELAYS):
        if delay:
            time.sleep(delay)
        try:
            if len(jobs) == 1:
                client.lpush(jobs[0][1], run_job_message(*jobs[0]))
            else:
                pipe = client.pipeline(transaction=False)
                for job_id, queue in jobs:
                    pipe.lpush(queue, run_job_message(job_id, queue))
                pipe.execute()
            return len(jobs)
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            if attempt == len(_RETRY_DELAYS) - 1:
                log.warning(
                    "broker did not take %d job(s) from %s (%s); the recovery sweep will publish them",
                    len(jobs),
                    jobs[0][0],
                    exc,
                )
        except redis.RedisError as exc:
            log.warning("broker refused %d job(s) (%s); the recovery sweep will publish them", len(jobs), exc)
            break
    return 0


def _client(celery: Celery) -> redis.Redis:
    # One client per app, on a blocking pool: it reconnects after a fork or a Redis restart, and a burst
    # of enqueues (one greenlet each in the API) waits briefly for a connection instead of failing.
    client = _clients.get(celery)
    if client is None:
        pool = redis.BlockingConnectionPool.from_url(
            str(celery.conf.broker_url),
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT_SECONDS,
            socket_connect_timeout=2.0,
            socket_timeout=5.0,
            socket_keepalive=True,
        )
        client = redis.Redis(connection_pool=pool)
        _clients[celery] = client
    return client


def close_publisher(celery: Celery) -> None:
    """Close the Redis connections publishing for ``celery`` (the next publish opens new ones)."""
    client = _clients.pop(celery, None)
    if client is not None:
        client.close()
        client.connection_pool.disconnect()


def _send_task(celery: Celery, job_id: str, queue: str) -> bool:
    try:
        celery.send_task(
            RUN_JOB,
            args=[job_id],
            queue=queue,
            task_id=job_id,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except (OperationalError, OSError) as exc:
        log.warning("broker did not take job %s (%s); the recovery sweep will publish it", job_id, exc)
        return False
    return True
