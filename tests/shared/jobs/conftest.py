"""A real SQLite file per test, with the schema the migrations build (migrated once, then copied)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.db.engine import Database
from shared.db.migrate import upgrade_to_head
from shared.jobs.kinds import JobKind, JobKinds, JobOutcome, RunningJob
from shared.jobs.status import JobStatus


@pytest.fixture(scope="session")
def migrated_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("schema") / "mimir.db"
    upgrade_to_head(f"sqlite:///{path}")
    return path


@pytest.fixture()
def db(migrated_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "mimir.db"
    shutil.copy(migrated_file, path)
    database = Database.connect(f"sqlite:///{path}")
    yield database
    database.dispose()


def _wait_for_cancel(job: RunningJob) -> JobOutcome:
    """Runs until cancelled (at most 10 s), then reports how far it got."""
    for _ in range(200):
        job.raise_if_cancelled()
        job.progress(0.5, current_step="waiting")
        time.sleep(0.05)
    return JobOutcome(JobStatus.FAILED, error="was never cancelled")


def _echo(job: RunningJob) -> JobOutcome:
    if job.spec.get("explode"):
        raise RuntimeError("the kind has a bug")
    if job.spec.get("wait_for_cancel"):
        return _wait_for_cancel(job)
    job.log("INFO", "echoing")
    return JobOutcome(JobStatus.SUCCEEDED, output={"said": job.spec.get("message")}, summary="said it")


ECHO = JobKind(
    name="echo",
    queue="test.echo",
    run=_echo,
    label=lambda spec: f"echo {spec.get('message', '')}",
    is_schedulable=True,
)
OTHER = JobKind(
    name="other",
    queue="test.other",
    run=lambda job: JobOutcome(JobStatus.SUCCEEDED),
    label=lambda spec: "other",
)


@pytest.fixture()
def kinds() -> JobKinds:
    installed = JobKinds()
    installed.add(ECHO)
    installed.add(OTHER)
    return installed
