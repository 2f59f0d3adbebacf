"""Probing a component (database, broker...): whether a check passes, how long it took, what it said."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

import redis
from sqlalchemy import text

from shared.db.engine import Database

T = TypeVar("T")
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class Probed(Generic[T]):
    """One component as probed: up with the check's value, or down with the error."""

    name: str
    is_up: bool
    latency_ms: float
    value: T | None = None
    error: str | None = None


def probe(name: str, check: Callable[[], T]) -> Probed[T]:
    """Run ``check``; any exception means the component is down, and the error says why."""
    started = time.perf_counter()
    try:
        value = check()
    except Exception as exc:  # any failure means the component is down; say which
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_CHARS]
        return Probed(name, False, _since(started), error=error)
    return Probed(name, True, _since(started), value=value)


def database_check(db: Database) -> Callable[[], str]:
    """A check that runs ``SELECT 1`` and gives the dialect's name."""

    def check() -> str:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return db.engine.dialect.name

    return check


def broker_check(client: redis.Redis) -> Callable[[], str]:
    """A check that pings Redis."""

    def check() -> str:
        client.ping()
        return "redis"

    return check


def _since(started: float) -> float:
    return (time.perf_counter() - started) * 1000
