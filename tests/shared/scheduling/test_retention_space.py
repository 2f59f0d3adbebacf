"""Retention gives SQLite's space back (#11 item 21): deleting old jobs used to leave the file its size."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from mimir.testing.stack import make_settings, migrated_database
from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.records import JobRecord
from shared.jobs.targets import RunTarget
from shared.pipelines.job_kind import pipeline_job_kind
from shared.pipelines.model import PipelineDefinition, StepDefinition
from shared.scheduling.upkeep import delete_old_jobs

PIPELINE = PipelineDefinition(name="p", steps=(StepDefinition("a", "Utility.noop"),))


@pytest.fixture()
def db(tmp_path: Path) -> Iterator[Database]:
    settings = make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'mimir.db'}", redis_url="")
    database = migrated_database(settings)
    yield database
    database.dispose()


def _file_size(tmp_path: Path) -> int:
    return sum(os.path.getsize(p) for p in tmp_path.glob("mimir.db*"))


def _old_finished_jobs(db: Database, count: int) -> None:
    for _ in range(count):
        request = RunTarget(definition=PIPELINE).job_request({"blob": "x" * 50_000})
        service.create_job(db, pipeline_job_kind(), request)
    with db.session() as session:
        long_ago = utcnow() - timedelta(days=90)
        session.execute(update(JobRecord).values(status="succeeded", finished_at=long_ago))


def test_deleting_old_jobs_shrinks_the_sqlite_file(db: Database, tmp_path: Path) -> None:
    _old_finished_jobs(db, 600)  # about 30 MB of contexts
    before = _file_size(tmp_path)
    assert delete_old_jobs(db, retention_days=30) == 600
    after = _file_size(tmp_path)
    assert before > 25 * 1024 * 1024
    assert after < before / 4, (before, after)


def test_later_deletions_free_space_incrementally(db: Database, tmp_path: Path) -> None:
    _old_finished_jobs(db, 400)
    delete_old_jobs(db, retention_days=30)
    _old_finished_jobs(db, 400)
    grown = _file_size(tmp_path)
    delete_old_jobs(db, retention_days=30)
    assert _file_size(tmp_path) < grown / 4
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 2
