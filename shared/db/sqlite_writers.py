"""SQLite's write lock taken in Python: one writer per process at a time, and a busy database waited for
without blocking the process.

SQLite lets one connection write at a time. Left to itself, a writer that finds the lock taken sleeps in
SQLite's busy handler (1, 2, 5, 10, 15, 20, 25, 25, 25, 50 ms ...): it does not queue, wakes late after the
lock is free, and under the API's gevent server that sleep stops every request of the process. Here each
process serialises its own writers on one lock (a gevent lock once gevent has patched ``threading``, so a
waiting request yields), and ``BEGIN IMMEDIATE`` is tried without SQLite's busy handler, another process's
write lock being waited for by short Python sleeps (which yield under gevent). Reads in WAL mode take no
write lock and are untouched. The lock is held from ``BEGIN IMMEDIATE`` to the connection's commit or
rollback (``WriterConnection``), so a write transaction in the process cannot interleave with another one.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from typing import Any

BUSY_TIMEOUT_MS = 30_000
_FIRST_PAUSE_S = 0.0002
_LONGEST_PAUSE_S = 0.002

_locks: dict[tuple[int, str], Any] = {}


def writer_lock(path: str) -> Any:
    """This process's lock for writers of the database file at ``path``, built on first use (after a fork,
    and after gevent patched ``threading``: then it is a gevent lock)."""
    key = (os.getpid(), os.path.realpath(path))
    # dict.setdefault is atomic under the GIL: two first callers get the same lock.
    return _locks.get(key) or _locks.setdefault(key, threading.Lock())


class WriterConnection(sqlite3.Connection):
    """A sqlite3 connection that takes its process's writer lock at ``begin_immediate`` and gives it back
    when the transaction ends (commit, rollback or close), whoever ends it (SQLAlchemy, the pool's reset)."""

    writer_lock: Any = None
    holds_writer_lock = False

    def begin_immediate(self) -> None:
        """``BEGIN IMMEDIATE`` once this process's writers are done, waiting out other processes' writers
        in Python for at most ``BUSY_TIMEOUT_MS``; ``sqlite3.OperationalError`` (database is locked) after."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        if self.writer_lock is not None and not self.holds_writer_lock:
            if not self.writer_lock.acquire(timeout=BUSY_TIMEOUT_MS / 1000):
                raise sqlite3.OperationalError("database is locked (this process's writers held it for 30 s)")
            self.holds_writer_lock = True
        try:
            self._begin_immediate_until(deadline)
        except BaseException:
            self._release_writer_lock()
            raise

    def _begin_immediate_until(self, deadline: float) -> None:
        pause = _FIRST_PAUSE_S
        self.execute("PRAGMA busy_timeout=0")
        try:
            while True:
                try:
                    self.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if "locked" not in str(error) or time.monotonic() >= deadline:
                        raise
                time.sleep(pause)  # gevent's sleep in the API: the other requests run meanwhile
                pause = min(pause * 2, _LONGEST_PAUSE_S)
        finally:
            self.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            if not self.in_transaction:  # a failed COMMIT leaves it open until the rollback
                self._release_writer_lock()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release_writer_lock()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release_writer_lock()

    def _release_writer_lock(self) -> None:
        if self.holds_writer_lock:
            self.holds_writer_lock = False
            self.writer_lock.release()
