"""The house task policy: retry only listed transient errors, boundedly, with jittered backoff."""

from __future__ import annotations

from celery import Task
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import OperationalError as DatabaseOperationalError

TRANSIENT_ERRORS = (DatabaseOperationalError, RedisConnectionError)


class MimirTask(Task):
    """Base task: late ack (from the app config), bounded retries of transient errors only."""

    abstract = True
    autoretry_for = TRANSIENT_ERRORS
    max_retries = 8
    retry_backoff = 1
    retry_backoff_max = 30
    retry_jitter = True
