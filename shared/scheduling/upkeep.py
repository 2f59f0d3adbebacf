"""Housekeeping the beat leader runs: job history retention, and for SQLite a WAL checkpoint and backups.

PostgreSQL deployments are backed up with PostgreSQL's own tools (pg_dump, base backups); nothing here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs.records import JobRecord
from shared.jobs.status import TERMINAL_STATUSES
from shared.scheduling.records import ScheduleFireRecord

log = logging.getLogger(__name__)
BACKUP_PREFIX = "mimir-"
BACKUP_SUFFIX = ".db"


def delete_old_jobs(db: Database, retention_days: float, now: datetime | None = None) -> int:
    """Delete finished jobs (and old fire records) older than ``retention_days``; how many jobs went."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    with db.session() as session:
        result = session.execute(
            delete(JobRecord).where(
                JobRecord.status.in_([s.value for s in TERMINAL_STATUSES]),
                JobRecord.finished_at < cutoff,
            )
        )
        session.execute(delete(ScheduleFireRecord).where(ScheduleFireRecord.created_at < cutoff))
    deleted = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if deleted:
        log.info("retention: deleted %d job(s) finished before %s", deleted, cutoff.isoformat())
        reclaim_sqlite_space(db)
    return deleted


# Free pages worth giving back: at least this share of the file, and at least this many bytes.
RECLAIM_SHARE = 0.2
RECLAIM_MIN_BYTES = 8 * 1024 * 1024


def reclaim_sqlite_space(db: Database) -> int:
    """Give the file space of deleted rows back to the file system (SQLite keeps it as free pages); the
    bytes the file shrank by. Nothing happens while the free pages are a small share of the file.

    The first time, the database is switched to incremental auto-vacuum, which takes one ``VACUUM`` (a
    rewrite of the file, holding the write lock meanwhile); later calls free pages with
    ``PRAGMA incremental_vacuum``, which costs only the pages it frees.
    """
    if not db.is_sqlite:
        return 0
    connection = db.engine.raw_connection()
    try:
        cursor = connection.cursor()

        def pragma(name: str) -> int:
            return int(cursor.execute(f"PRAGMA {name}").fetchone()[0])

        page_size, pages, free = pragma("page_size"), pragma("page_count"), pragma("freelist_count")
        if free * page_size < RECLAIM_MIN_BYTES or free < pages * RECLAIM_SHARE:
            return 0
        if pragma("auto_vacuum") == 2:  # incremental
            # executescript steps the statement to the end; execute() would free a single page.
            connection.driver_connection.executescript("PRAGMA incremental_vacuum;")  # type: ignore[union-attr]
        else:
            cursor.execute("PRAGMA auto_vacuum=INCREMENTAL")
            cursor.execute("VACUUM")
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        freed = (pages - pragma("page_count")) * page_size
    finally:
        connection.close()
    log.info("retention: gave %d MB of free pages back to the file system", freed // (1024 * 1024))
    return freed


def checkpoint_sqlite(db: Database) -> None:
    """Fold the SQLite write-ahead log back into the database file and truncate it."""
    if not db.is_sqlite:
        return
    connection = db.engine.raw_connection()
    try:
        connection.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def backup_sqlite(db: Database, backups_dir: Path, keep: int, now: datetime | None = None) -> Path | None:
    """A consistent copy of the SQLite database (``VACUUM INTO``) in ``backups_dir``; keeps ``keep``."""
    if not db.is_sqlite:
        return None
    backups_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%S%fZ")
    target = backups_dir / f"{BACKUP_PREFIX}{stamp}{BACKUP_SUFFIX}"
    partial = target.with_suffix(".partial")
    connection = db.engine.raw_connection()
    try:
        connection.cursor().execute("VACUUM INTO ?", (str(partial),))
    finally:
        connection.close()
    partial.rename(target)
    for old in list_backups(backups_dir)[:-keep]:
        old.unlink(missing_ok=True)
    log.info("backup written: %s", target)
    return target


def list_backups(backups_dir: Path) -> list[Path]:
    """Backups in ``backups_dir``, oldest first."""
    if not backups_dir.is_dir():
        return []
    return sorted(p for p in backups_dir.glob(f"{BACKUP_PREFIX}*{BACKUP_SUFFIX}") if p.is_file())


@dataclass
class Upkeep:
    """Runs each housekeeping task when its interval has passed (monotonic clock)."""

    db: Database
    retention_days: float
    backups_dir: Path
    backups_keep: int
    backup_interval_seconds: float
    checkpoint_interval_seconds: float
    retention_interval_seconds: float = 3600.0
    _last: dict[str, float] = field(default_factory=dict)

    def run_due(self) -> None:
        """Run what is due; a failure is logged and retried at the next interval."""
        for name, interval, task in (
            (
                "retention",
                self.retention_interval_seconds,
                lambda: delete_old_jobs(self.db, self.retention_days),
            ),
            ("checkpoint", self.checkpoint_interval_seconds, lambda: checkpoint_sqlite(self.db)),
            (
                "backup",
                self.backup_interval_seconds,
                lambda: backup_sqlite(self.db, self.backups_dir, self.backups_keep),
            ),
        ):
            now = time.monotonic()
            last = self._last.setdefault(name, now if name == "backup" else 0.0)
            if now - last < interval:
                continue
            self._last[name] = now
            try:
                task()
            except Exception:
                log.exception("upkeep task %s failed", name)
