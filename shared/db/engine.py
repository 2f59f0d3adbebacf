"""Engines and sessions for SQLite (WAL, immediate transactions) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


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
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    if "poolclass" not in kwargs:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("connect_args", {"connect_timeout": 5})
    return create_engine(url, **kwargs)


READ_ONLY_OPTION = "mimir_read_only"


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling starts transactions late and as readers, which turns concurrent
    # writers into "database is locked" errors; we take the write lock at BEGIN instead (SQLAlchemy's recipe).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Database.reads sessions need no write lock: in WAL mode they see the last commit without waiting.
        is_read = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if is_read else "BEGIN IMMEDIATE")


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
