"""Worker presence: each worker refreshes a short-lived Redis key; the API counts the live ones."""

from __future__ import annotations

import json
import time
from typing import Any

import redis

WORKER_KEY_PREFIX = "mimir:workers:"
HEARTBEAT_SECONDS = 2.0
HEARTBEAT_TTL_SECONDS = 6


def beat_heart(client: redis.Redis, worker_name: str, info: dict[str, Any]) -> None:
    """Mark ``worker_name`` alive for the next few seconds."""
    payload = json.dumps({**info, "seen_at": time.time()})
    client.set(WORKER_KEY_PREFIX + worker_name, payload, ex=HEARTBEAT_TTL_SECONDS)


def forget_worker(client: redis.Redis, worker_name: str) -> None:
    """Remove a worker that stops cleanly."""
    client.delete(WORKER_KEY_PREFIX + worker_name)


def live_workers(client: redis.Redis) -> list[str]:
    """Names of the workers seen in the last few seconds."""
    names = [
        (key.decode() if isinstance(key, bytes) else str(key))[len(WORKER_KEY_PREFIX) :]
        for key in client.scan_iter(match=WORKER_KEY_PREFIX + "*", count=500)
    ]
    return sorted(names)
