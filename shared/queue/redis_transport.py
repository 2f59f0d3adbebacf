"""Kombu's Redis transport, made to survive a Redis restart.

When the broker connection drops, Celery's consumer closes the connection (ignoring connection errors) and
reconnects. Closing the channel tries to restore unacknowledged messages, which builds a Redis client from
the kombu connection; in a race seen during Redis restarts that connection is already detached
(``transport.client`` is None) and kombu raises ``AttributeError``, which Celery treats as an
unrecoverable error and the worker exits. Here that case raises a Redis ``ConnectionError`` instead, which
the close ignores; the worker reconnects. Nothing is lost by skipping that restore: the messages come back
after the visibility timeout, and the job rows (the truth) are re-published by the recovery sweep.
"""

from __future__ import annotations

from typing import Any

import redis
from kombu.transport import redis as kombu_redis

TRANSPORT = "shared.queue.redis_transport:Transport"


class Channel(kombu_redis.Channel):
    """A channel whose connection parameters fail like a lost connection once the connection is gone."""

    def _connparams(self, asynchronous: bool = False) -> Any:
        if self.connection.client is None:
            raise redis.ConnectionError("the broker connection is closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    """The Redis transport with :class:`Channel`."""

    Channel = Channel
