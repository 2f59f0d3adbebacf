"""The job state machine against a real SQLite file: claims, leases, guarded finishes and cancels."""

from __future__ import annotations

import pytest

from shared.db.engine import Database
from shared.errors import Conflict, NotFound
from shared.jobs import service
from shared.jobs.records import JobRecord
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus
from tests.shared.jobs.conftest import ECHO

LEASE = 30.0
EXPIRED = -1.0  # a lease that ran out a second ago: its holder is gone


def _queued(db: Database, **spec: object) -> JobRecord:
    return service.create_job(db, ECHO, JobRequest(kind="echo", spec={"message": "hi", **spec}))


def test_a_new_job_is_queued_with_its_kind_spec_and_label(db: Database) -> None:
    job = service.get_job(db, _queued(db).id)
    assert (job.status, job.kind, job.spec, job.pipeline_name) == (
        "queued",
        "echo",
        {"message": "hi"},
        "echo hi",
    )
    assert (job.attempts, job.progress, job.pipeline_id) == (0, 0.0, None)


def test_claiming_a_queued_job_starts_its_first_attempt(db: Database) -> None:
    claim = service.claim_job(db, _queued(db).id, "w1", LEASE)
    assert claim is not None
    assert (claim.lease.worker_id, claim.lease.attempt) == ("w1", 1)
    job = service.get_job(db, claim.job.id)
    assert (job.status, job.worker_id, job.attempts) == ("running", "w1", 1)
    assert job.started_at is not None and job.lease_expires_at is not None


def test_a_job_leased_by_one_worker_cannot_be_claimed_by_another(db: Database) -> None:
    job = _queued(db)
    assert service.claim_job(db, job.id, "w1", LEASE) is not None
    assert service.claim_job(db, job.id, "w2", LEASE) is None
    assert service.get_job(db, job.id).worker_id == "w1"


def test_a_job_whose_lease_expired_can_be_claimed_again_as_a_new_attempt(db: Database) -> None:
    job = _queued(db)
    assert service.claim_job(db, job.id, "w1", EXPIRED) is not None
    claim = service.claim_job(db, job.id, "w2", LEASE)
    assert claim is not None and claim.lease.attempt == 2
    assert service.get_job(db, job.id).worker_id == "w2"


def test_an_unknown_or_finished_job_is_not_claimed(db: Database) -> None:
    assert service.claim_job(db, "no-such-job", "w1", LEASE) is None
    claim = service.claim_job(db, _queued(db).id, "w1", LEASE)
    assert claim is not None
    service.finish_job(db, claim.lease, status=JobStatus.SUCCEEDED, steps=[], output_context={}, error=None)
    assert service.claim_job(db, claim.job.id, "w2", LEASE) is None


def test_a_job_out_of_attempts_is_not_claimed(db: Database) -> None:
    job = _queued(db)
    for worker in range(service.DEFAULT_MAX_ATTEMPTS):
        assert service.claim_job(db, job.id, f"w{worker}", EXPIRED) is not None
    assert service.claim_job(db, job.id, "last", LEASE) is None


def test_finishing_writes_the_outcome_when_the_lease_is_held(db: Database) -> None:
    claim = service.claim_job(db, _queued(db).id, "w1", LEASE)
    assert claim is not None
    is_written = service.finish_job(
        db, claim.lease, status=JobStatus.SUCCEEDED, steps=[], output_context={"said": "hi"}, error=None
    )
    job = service.get_job(db, claim.job.id)
    assert is_written
    assert (job.status, job.output_context, job.progress, job.lease_expires_at) == (
        "succeeded",
        {"said": "hi"},
        1.0,
        None,
    )


def test_a_worker_that_lost_its_lease_cannot_finish_or_renew_the_job(db: Database) -> None:
    job = _queued(db)
    stale = service.claim_job(db, job.id, "w1", EXPIRED)
    fresh = service.claim_job(db, job.id, "w2", LEASE)
    assert stale is not None and fresh is not None
    assert not service.finish_job(
        db, stale.lease, status=JobStatus.FAILED, steps=[], output_context=None, error="late"
    )
    assert not service.renew_lease(db, stale.lease, LEASE).is_held
    assert not service.record_progress(db, stale.lease, steps=None, current_step="x", progress=0.9)
    assert service.get_job(db, job.id).status == "running"
    assert service.renew_lease(db, fresh.lease, LEASE).is_held


def test_progress_without_steps_keeps_the_step_records(db: Database) -> None:
    claim = service.claim_job(db, _queued(db).id, "w1", LEASE)
    assert claim is not None
    service.record_progress(db, claim.lease, steps=[{"name": "a"}], current_step="a", progress=0.25)
    service.record_progress(db, claim.lease, steps=None, current_step=None, progress=0.5)
    job = service.get_job(db, claim.job.id)
    assert (job.steps, job.progress) == ([{"name": "a"}], 0.5)


def test_cancelling_a_queued_job_ends_it_at_once_and_it_is_never_claimed(db: Database) -> None:
    job = service.cancel_job(db, _queued(db).id)
    assert (job.status, job.error) == ("cancelled", "cancelled before it started")
    assert service.claim_job(db, job.id, "w1", LEASE) is None


def test_cancelling_a_running_job_asks_its_worker_through_the_lease_renewal(db: Database) -> None:
    claim = service.claim_job(db, _queued(db).id, "w1", LEASE)
    assert claim is not None
    assert not service.renew_lease(db, claim.lease, LEASE).is_cancel_requested
    job = service.cancel_job(db, claim.job.id)
    assert (job.status, job.cancel_requested) == ("running", True)
    state = service.renew_lease(db, claim.lease, LEASE)
    assert state.is_held and state.is_cancel_requested


def test_a_finished_job_cannot_be_cancelled(db: Database) -> None:
    claim = service.claim_job(db, _queued(db).id, "w1", LEASE)
    assert claim is not None
    service.finish_job(db, claim.lease, status=JobStatus.FAILED, steps=[], output_context=None, error="x")
    with pytest.raises(Conflict, match="already failed"):
        service.cancel_job(db, claim.job.id)
    with pytest.raises(NotFound):
        service.cancel_job(db, "no-such-job")


def test_jobs_are_listed_by_kind(db: Database) -> None:
    echo = _queued(db)
    jobs, total = service.list_jobs(db, kind="echo")
    assert ([j.id for j in jobs], total) == ([echo.id], 1)
    assert service.list_jobs(db, kind="pipeline") == ([], 0)
