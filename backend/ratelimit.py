"""Rate limits per key (or per address), counted in Redis so every API process shares them."""

from __future__ import annotations

import logging
import math
import time
import weakref
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.storage import RedisStorage
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from backend.access import RouteGroup
from backend.redis_clients import pooled_pool
from shared.config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    """Whether a call may go ahead; when not, how many seconds until it may."""

    is_allowed: bool
    retry_after_seconds: int = 0


class RateLimiter:
    """Fixed-window counters per (route group, caller), configured per group in settings."""

    def __init__(self, redis_url: str, limits_by_group: dict[RouteGroup, list[RateLimitItem]]) -> None:
        pool = pooled_pool(redis_url, socket_connect_timeout=1, socket_timeout=1)
        self._storage = RedisStorage(redis_url, connection_pool=pool, key_prefix="mimir:ratelimit")
        self._strategy = FixedWindowRateLimiter(self._storage)
        # Nothing else closes these connections: when the app (and this limiter) is dropped, close them
        # before the garbage collector finalizes their sockets (which warns about each one left open).
        weakref.finalize(self, self._storage.storage.connection_pool.disconnect)
        self._limits = limits_by_group

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        """The limiter for ``settings`` (``security.rate_limit_<group>``)."""
        return cls(
            settings.resolved_redis_url,
            {
                RouteGroup.ENQUEUE: parse_many(settings.rate_limit_enqueue),
                RouteGroup.READS: parse_many(settings.rate_limit_reads),
                RouteGroup.WRITES: parse_many(settings.rate_limit_writes),
                RouteGroup.AUTH: parse_many(settings.rate_limit_auth),
            },
        )

    def hit(self, group: RouteGroup, caller: str) -> Verdict:
        """Count one call by ``caller`` in ``group``. If Redis is unreachable the call is let through:
        refusing every request because a counter store is down would turn a blip into an outage."""
        try:
            for item in self._limits[group]:
                if not self._strategy.hit(item, group.value, caller):
                    reset_at = self._strategy.get_window_stats(item, group.value, caller).reset_time
                    return Verdict(False, max(1, math.ceil(reset_at - time.time())))
        except RedisError as exc:
            log.warning("rate limits not enforced, Redis unreachable: %s", exc)
        return Verdict(True)
