"""The recovery sweep's rules against a real SQLite file: each job goes back to its own kind's queue."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.kinds import JobKind
from shared.jobs.records import JobRecord
from shared.jobs.recovery import sweep_stalled_jobs
from shared.jobs.service import JobRequest
from tests.shared.jobs.conftest import ECHO, OTHER

IDLE = {"echo": 0, "other": 0}


class Published:
    """What the sweep sent to the broker: (job id, kind)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def __call__(self, job_id: str, kind: str) -> bool:
        self.sent.append((job_id, kind))
        return True


def _queued(db: Database, kind: JobKind = ECHO) -> JobRecord:
    return service.create_job(db, kind, JobRequest(kind=kind.name, spec={}))


def _age(db: Database, job: JobRecord, seconds: float) -> None:
    """Make the job look untouched for ``seconds``: the test sets its age instead of sleeping, so a slow
    machine cannot push it past a threshold the test means it to stay under."""
    with db.session() as session:
        session.execute(
            update(JobRecord)
            .where(JobRecord.id == job.id)
            .values(updated_at=utcnow() - timedelta(seconds=seconds))
        )


def _sweep(db: Database, published: Published, lengths: dict[str, int], requeue_after: float = 60.0) -> None:
    sweep_stalled_jobs(db, publish=published, queue_lengths=lengths, requeue_after_seconds=requeue_after)


def test_a_running_job_whose_lease_expired_is_queued_and_sent_to_its_kind_queue(db: Database) -> None:
    job = _queued(db, OTHER)
    service.claim_job(db, job.id, "dead-worker", -1.0)
    published = Published()
    report = sweep_stalled_jobs(db, publish=published, queue_lengths=IDLE, requeue_after_seconds=60.0)
    assert report.requeued_expired == [job.id]
    assert published.sent == [(job.id, "other")]
    stored = service.get_job(db, job.id)
    assert (stored.status, stored.error) == ("queued", "worker lost; queued again")


def test_a_running_job_with_a_live_lease_is_left_alone(db: Database) -> None:
    job = _queued(db)
    service.claim_job(db, job.id, "live-worker", 30.0)
    published = Published()
    _sweep(db, published, IDLE, requeue_after=0.0)
    assert published.sent == []
    assert service.get_job(db, job.id).status == "running"


def test_a_job_that_used_every_attempt_fails_instead_of_looping(db: Database) -> None:
    job = _queued(db)
    for attempt in range(service.DEFAULT_MAX_ATTEMPTS):
        service.claim_job(db, job.id, f"w{attempt}", -1.0)
    report = sweep_stalled_jobs(db, publish=Published(), queue_lengths=IDLE, requeue_after_seconds=60.0)
    assert report.gave_up == [job.id]
    stored = service.get_job(db, job.id)
    assert (stored.status, stored.error) == ("failed", "gave up: every attempt ended with its worker lost")


def test_a_stale_queued_job_is_republished_when_its_kind_queue_is_empty(db: Database) -> None:
    job = _queued(db)
    _age(db, job, 120)  # past requeue_after (60 s), short of ten times it
    published = Published()
    _sweep(db, published, {"echo": 0, "other": 7})
    assert published.sent == [(job.id, "echo")]


def test_a_stale_queued_job_waits_while_its_own_kind_queue_is_busy(db: Database) -> None:
    busy = _queued(db, ECHO)
    idle = _queued(db, OTHER)
    _age(db, busy, 120)  # both stale (requeue_after is 60 s) but well short of ten times it (600 s)
    _age(db, idle, 120)
    published = Published()
    _sweep(db, published, {"echo": 3, "other": 0})
    assert published.sent == [(idle.id, "other")]
    assert busy.id not in {job_id for job_id, _ in published.sent}


def test_a_queued_job_is_republished_after_ten_times_the_wait_even_if_its_queue_is_busy(db: Database) -> None:
    job = _queued(db)
    _age(db, job, 601)  # past ten times requeue_after (60 s)
    published = Published()
    _sweep(db, published, {"echo": 3})
    assert published.sent == [(job.id, "echo")]


def test_a_fresh_queued_job_is_not_republished(db: Database) -> None:
    _queued(db)
    published = Published()
    _sweep(db, published, IDLE)
    assert published.sent == []
