"""The recovery sweep: jobs whose worker died or whose message was lost are queued and published again.

Rules (each sweep):
0. A waiting job (``running`` with no worker: it gave its worker back until its children finish) whose
   recheck time passed is published, its recheck time moved on by ``requeue_after``: a lost wake-up costs
   at most that wait.
1. A ``running`` job held by a worker whose lease expired goes back to ``queued`` (its worker is gone or
   stuck).
2. A ``queued`` job that has used all its attempts becomes ``failed`` (a job that kills its worker every
   time must not loop forever).
3. A ``queued`` job untouched for ``requeue_after`` seconds is published again when its kind's broker
   queue is empty (its message must be lost: nothing is waiting in front of it), or in any case after ten
   times that. A duplicate message is harmless: only one claim of a job can succeed.

Every kind is swept the same way; ``publish`` sends a job to its kind's queue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import false, or_, select, update

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs.records import JobRecord
from shared.jobs.status import JobStatus
from shared.observability import metrics

SWEEP_BATCH = 500


@dataclass
class SweepReport:
    """What one sweep did."""

    requeued_expired: list[str] = field(default_factory=list)
    gave_up: list[str] = field(default_factory=list)
    republished: list[str] = field(default_factory=list)


def sweep_stalled_jobs(
    db: Database,
    *,
    publish: Callable[[str, str], bool],
    queue_lengths: Mapping[str, int],
    requeue_after_seconds: float,
) -> SweepReport:
    """Apply the three recovery rules once; returns the ids each rule touched.

    ``publish(job_id, kind)`` sends a job to its kind's queue (True if the broker took it);
    ``queue_lengths`` maps each kind to the length of its broker queue (a kind missing is taken as busy)."""
    report = SweepReport()
    now = utcnow()
    with db.session() as session:
        is_waiting = (JobRecord.status == JobStatus.RUNNING.value) & JobRecord.worker_id.is_(None)
        due = session.execute(
            select(JobRecord.id, JobRecord.kind)
            .where(is_waiting, JobRecord.lease_expires_at < now)
            .limit(SWEEP_BATCH)
        ).all()
        if due:
            session.execute(
                update(JobRecord)
                .where(JobRecord.id.in_([job_id for job_id, _ in due]), is_waiting)
                .values(lease_expires_at=now + timedelta(seconds=requeue_after_seconds))
            )
        requeued = session.execute(
            select(JobRecord.id, JobRecord.kind)
            .where(
                JobRecord.status == JobStatus.RUNNING.value,
                JobRecord.worker_id.is_not(None),
                JobRecord.lease_expires_at < now,
            )
            .limit(SWEEP_BATCH)
        ).all()
        expired = [job_id for job_id, _ in requeued]
        if expired:
            session.execute(
                update(JobRecord)
                .where(
                    JobRecord.id.in_(expired),
                    JobRecord.status == JobStatus.RUNNING.value,
                    JobRecord.worker_id.is_not(None),
                    JobRecord.lease_expires_at < now,
                )
                .values(
                    status=JobStatus.QUEUED.value,
                    lease_expires_at=None,
                    updated_at=now,
                    error="worker lost; queued again",
                )
            )
        report.requeued_expired = expired
        exhausted = (
            session.execute(
                select(JobRecord.id)
                .where(
                    JobRecord.status == JobStatus.QUEUED.value, JobRecord.attempts >= JobRecord.max_attempts
                )
                .limit(SWEEP_BATCH)
            )
            .scalars()
            .all()
        )
        if exhausted:
            session.execute(
                update(JobRecord)
                .where(JobRecord.id.in_(exhausted), JobRecord.status == JobStatus.QUEUED.value)
                .values(
                    status=JobStatus.FAILED.value,
                    finished_at=now,
                    updated_at=now,
                    error="gave up: every attempt ended with its worker lost",
                )
            )
        report.gave_up = list(exhausted)
    stale_before = now - timedelta(seconds=requeue_after_seconds)
    very_stale_before = now - timedelta(seconds=requeue_after_seconds * 10)
    idle_kinds = [kind for kind, length in queue_lengths.items() if length == 0]
    is_stale = or_(
        JobRecord.updated_at < very_stale_before,
        (JobRecord.kind.in_(idle_kinds) if idle_kinds else false()) & (JobRecord.updated_at < stale_before),
    )
    with db.session() as session:
        stale = session.execute(
            select(JobRecord.id, JobRecord.kind)
            .where(
                JobRecord.status == JobStatus.QUEUED.value,
                JobRecord.attempts < JobRecord.max_attempts,
                is_stale,
            )
            .order_by(JobRecord.created_at)
            .limit(SWEEP_BATCH)
        ).all()
        if stale:
            session.execute(
                update(JobRecord)
                .where(JobRecord.id.in_([job_id for job_id, _ in stale]))
                .values(updated_at=now)
            )
    report.republished = [job_id for job_id, kind in [*due, *requeued, *stale] if publish(job_id, kind)]
    metrics.recovery_acted(requeued=len(expired), gave_up=len(exhausted), republished=len(stale))
    return report
