"""Engines and sessions for SQLite (WAL, immediate transactions) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from shared.db.sqlite_writers import BUSY_TIMEOUT_MS, WriterConnection, writer_lock


def normalise_database_url(url: str) -> str:
    """``url`` with the psycopg 3 driver named for PostgreSQL (``postgres://`` and ``postgresql://`` too)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL mode, a busy timeout and immediate write transactions."""
    url = normalise_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        connect_args = {
            "timeout": BUSY_TIMEOUT_MS / 1000,
            "check_same_thread": False,
            "factory": WriterConnection,
        }
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine, parsed.database if parsed.database not in (None, "", ":memory:") else None)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


READ_ONLY_OPTION = "mimir_read_only"


def _configure_sqlite(engine: Engine, path: str | None) -> None:
    # pysqlite's own transaction handling starts transactions late and as readers, which turns concurrent
    # writers into "database is locked" errors; we take the write lock at BEGIN instead (SQLAlchemy's recipe),
    # queueing this process's writers on one lock first (shared/db/sqlite_writers.py).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        if path is not None:
            dbapi_connection.writer_lock = writer_lock(path)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Database.reads sessions need no write lock: in WAL mode they see the last commit without waiting.
        if connection.get_execution_options().get(READ_ONLY_OPTION, False):
            connection.exec_driver_sql("BEGIN")
        else:
            try:
                connection.connection.dbapi_connection.begin_immediate()
            except sqlite3.Error as error:  # as exec_driver_sql would have raised it (a 503 in the API)
                raise DBAPIError.instance("BEGIN IMMEDIATE", None, error, sqlite3.Error) from error


@dataclass
class Database:
    """An engine and its session factories; one per process (build it after a worker forks).

    ``reads()`` opens a session that only reads (on SQLite its transaction begins without the write lock,
    and in WAL mode sees the last commit without waiting); ``session()`` is a write transaction.
    """

    engine: Engine
    reads: sessionmaker[Session]
    writes: sessionmaker[Session]

    @classmethod
    def connect(cls, url: str, **kwargs: Any) -> Database:
        """A database for ``url`` (no connection is opened until first use)."""
        engine = make_engine(url, **kwargs)
        return cls(
            engine=engine,
            reads=sessionmaker(engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False),
            writes=sessionmaker(engine, expire_on_commit=False),
        )

    @property
    def read_engine(self) -> Engine:
        """The engine ``reads()`` sessions use, for Core statements that only read."""
        bind: Engine = self.reads.kw["bind"]
        return bind

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on error."""
        with self.writes() as session, session.begin():
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
