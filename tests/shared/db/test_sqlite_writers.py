"""SQLite write transactions queue on their process's writer lock and wait out other processes in Python."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from shared.db import sqlite_writers
from shared.db.engine import Database
from shared.db.sqlite_writers import writer_lock


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.connect(f"sqlite:///{tmp_path / 'writers.db'}")
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"))
    yield database
    database.dispose()


def _is_free(db: Database) -> bool:
    lock = writer_lock(str(db.engine.url.database))
    if lock.acquire(timeout=0):
        lock.release()
        return True
    return False


def test_the_writer_lock_is_given_back_after_commit_and_rollback(db: Database) -> None:
    with db.session() as session:
        session.execute(text("INSERT INTO t (v) VALUES (1)"))
        assert not _is_free(db)
    assert _is_free(db)
    with pytest.raises(RuntimeError), db.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (v) VALUES (2)"))
        raise RuntimeError("the transaction fails")
    assert _is_free(db)
    with db.reads() as session:  # reads take no write lock
        assert session.execute(text("SELECT v FROM t")).scalars().all() == [1]
        assert _is_free(db)


def test_threads_of_one_process_write_one_at_a_time_and_all_commit(db: Database) -> None:
    def write() -> None:
        for _ in range(50):
            with db.engine.begin() as connection:
                connection.execute(text("INSERT INTO t (v) VALUES (1)"))

    threads = [threading.Thread(target=write) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.reads() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == 400


def test_a_writer_waits_for_another_process_writer_and_then_commits(db: Database) -> None:
    other = sqlite3.connect(str(db.engine.url.database), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    threading.Timer(0.3, other.commit).start()
    started = time.monotonic()
    with db.engine.begin() as connection:
        connection.execute(text("INSERT INTO t (v) VALUES (1)"))
    assert time.monotonic() - started >= 0.25
    assert _is_free(db)
    other.close()


def test_a_writer_that_cannot_begin_in_time_fails_and_frees_the_lock(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_writers, "BUSY_TIMEOUT_MS", 200)
    other = sqlite3.connect(str(db.engine.url.database), isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(Exception, match="database is locked"), db.engine.begin() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES (1)"))
        assert _is_free(db)
    finally:
        other.rollback()
        other.close()
    with db.engine.begin() as connection:  # the connection is usable again, with its busy timeout back
        connection.execute(text("INSERT INTO t (v) VALUES (1)"))
        assert (
            connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == sqlite_writers.BUSY_TIMEOUT_MS
        )  # not left at 0
