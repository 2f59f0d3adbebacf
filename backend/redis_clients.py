"""Redis clients for the API process, whose requests may be thousands at once (one greenlet each).

redis-py's default pool refuses a connection past 100 with "Too many connections"; the rate limiter then
let calls through unchecked and ``/health`` reported the broker down during a burst of held ``wait``
requests. A blocking pool makes a request wait briefly for a free connection instead.
"""

from __future__ import annotations

from typing import Any

import redis

POOL_SIZE = 128
# Long enough to ride out a burst of requests on a busy machine: failing here lets a request past the
# rate limiter unchecked, or reports the broker down.
POOL_WAIT_SECONDS = 10.0


def pooled_pool(url: str, **options: Any) -> redis.BlockingConnectionPool:
    """A connection pool on ``url`` whose callers wait up to ``POOL_WAIT_SECONDS`` for a connection."""
    return redis.BlockingConnectionPool.from_url(
        url, max_connections=POOL_SIZE, timeout=POOL_WAIT_SECONDS, **options
    )


def pooled_client(url: str, **options: Any) -> redis.Redis:
    """A client on ``url`` sharing one blocking pool (``options`` as for ``redis.Redis``)."""
    return redis.Redis(connection_pool=pooled_pool(url, **options))
