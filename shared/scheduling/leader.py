"""Leadership among beat processes: one Redis key, set if absent with an expiry, renewed by its holder.

A holder that dies stops renewing and the key expires after ``ttl`` seconds; the next process to try takes
it. Two processes can briefly both believe they lead (a paused holder whose key expired); the unique fire
rows in the database make that harmless.
"""

from __future__ import annotations

import logging

import redis

log = logging.getLogger(__name__)

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
LEADER_KEY = "mimir:beat:leader"


class LeaderLease:
    """This process's claim to be the one beat that fires."""

    def __init__(self, client: redis.Redis, owner: str, ttl_seconds: float, key: str = LEADER_KEY) -> None:
        self.client = client
        self.owner = owner
        self.ttl_ms = max(int(ttl_seconds * 1000), 100)
        self.key = key
        self.is_held = False

    def hold(self) -> bool:
        """Take or renew the lease; whether this process leads now. Redis errors mean 'not leading'."""
        try:
            if self.is_held and self.client.eval(_RENEW, 1, self.key, self.owner, self.ttl_ms):
                return True
            self.is_held = bool(self.client.set(self.key, self.owner, nx=True, px=self.ttl_ms))
        except redis.RedisError as exc:
            if self.is_held:
                log.warning("beat lease: Redis error, stepping down: %s", exc)
            self.is_held = False
        if self.is_held:
            log.info("beat %s now leads (lease %d ms)", self.owner, self.ttl_ms)
        return self.is_held

    def holder(self) -> str | None:
        """Who holds the lease now, if anyone."""
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value

    def release(self) -> None:
        """Give the lease up (on clean shutdown) so another beat takes over at once."""
        if self.is_held:
            try:
                self.client.eval(_RELEASE, 1, self.key, self.owner)
            except redis.RedisError:
                pass
            self.is_held = False
