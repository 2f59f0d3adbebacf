"""Rate limits per key (or per address), counted in Redis so every API process shares them.

Counting every call in Redis cost a round trip (and about 0.7 ms of the API's CPU) per request. Instead a
process takes calls from Redis in chunks of 1/20 of the limit (``INCRBY``, the window's expiry and its time
left, in one Lua call) and spends them locally until that window ends; a limit under 40 per window is
counted call by call, as before. Near the limit the last chunk is cut to what is left, so no more than the
limit is let through in a window; a process can only hold back calls it took but did not spend (at most
one chunk per process per window, refused to the others).
"""

from __future__ import annotations

import logging
import math
import threading
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

# A process takes this share of a limit per trip to Redis.
CHUNK_DIVISOR = 20
# limits' fixed-window counter (same key, same expiry rule), also answering the window's time left.
_TAKE_SCRIPT = """
local count = redis.call('INCRBY', KEYS[1], ARGV[2])
if count == tonumber(ARGV[2]) then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('PTTL', KEYS[1])}
"""


@dataclass(frozen=True)
class Verdict:
    """Whether a call may go ahead; when not, how many seconds until it may."""

    is_allowed: bool
    retry_after_seconds: int = 0


@dataclass
class _Grant:
    """Calls this process took from the shared count and has not spent yet, until the window ends."""

    remaining: int
    valid_until: float


class RateLimiter:
    """Fixed-window counters per (route group, caller), configured per group in settings."""

    def __init__(self, redis_url: str, limits_by_group: dict[RouteGroup, list[RateLimitItem]]) -> None:
        pool = pooled_pool(redis_url, socket_connect_timeout=1, socket_timeout=1)
        self._storage = RedisStorage(redis_url, connection_pool=pool, key_prefix="mimir:ratelimit")
        self._strategy = FixedWindowRateLimiter(self._storage)
        # Nothing else closes these connections: when the app (and this limiter) is dropped, close them
        # before the garbage collector finalizes their sockets (which warns about each one left open).
        weakref.finalize(self, self._storage.storage.connection_pool.disconnect)
        self._take_script = self._storage.get_connection().register_script(_TAKE_SCRIPT.encode())
        self._limits = limits_by_group
        self._grants: dict[str, _Grant] = {}
        self._claiming: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

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

    def hit(self, group: RouteGroup, caller: str, cost: int = 1) -> Verdict:
        """Count ``cost`` calls by ``caller`` in ``group`` (a batch of runs counts one per run). If Redis is
        unreachable the call is let through: refusing every request because a counter store is down would
        turn a blip into an outage."""
        try:
            for item in self._limits[group]:
                taken = (
                    self._take(item, group.value, caller)
                    if cost == 1
                    else self._take_many(item, group.value, caller, cost)
                )
                if not taken:
                    reset_at = self._strategy.get_window_stats(item, group.value, caller).reset_time
                    return Verdict(False, max(1, math.ceil(reset_at - time.time())))
        except RedisError as exc:
            log.warning("rate limits not enforced, Redis unreachable: %s", exc)
        return Verdict(True)

    def _take(self, item: RateLimitItem, group: str, caller: str) -> bool:
        key = item.key_for(group, caller)
        if self._spend(key):
            return True
        with self._lock:
            claiming = self._claiming.setdefault(key, threading.Lock())
        # One thread per key asks Redis at a time; the others spend what it brought back, rather than
        # each taking a chunk of its own that nobody spends.
        with claiming:
            if self._spend(key):
                return True
            chunk = max(1, item.amount // CHUNK_DIVISOR)
            count, ttl_ms = self._take_script(
                keys=[self._storage.prefixed_key(key)], args=[item.get_expiry(), chunk]
            )
            granted = min(chunk, item.amount - (int(count) - chunk))
            if granted <= 0:
                return False
            if granted > 1:
                # Spent only within the window it was taken from: the next window counts afresh.
                ends_at = time.monotonic() + max(int(ttl_ms), 0) / 1000
                with self._lock:
                    if len(self._grants) > 10_000:
                        self._grants.clear()
                        self._claiming.clear()
                    self._grants[key] = _Grant(remaining=granted - 1, valid_until=ends_at)
            return True

    def most_per_window(self, group: RouteGroup) -> int:
        """The most calls ``group`` allows in any one window (the smallest of its limits)."""
        return min(item.amount for item in self._limits[group])

    def _take_many(self, item: RateLimitItem, group: str, caller: str, cost: int) -> bool:
        key = item.key_for(group, caller)
        if self._spend(key, cost):
            return True
        # Straight to the shared count (one round trip per batch); counted even when refused, as one call
        # refused over the limit is.
        count, _ttl_ms = self._take_script(
            keys=[self._storage.prefixed_key(key)], args=[item.get_expiry(), cost]
        )
        return int(count) <= item.amount

    def _spend(self, key: str, cost: int = 1) -> bool:
        with self._lock:
            grant = self._grants.get(key)
            if grant is not None and grant.remaining >= cost and time.monotonic() < grant.valid_until:
                grant.remaining -= cost
                return True
        return False
