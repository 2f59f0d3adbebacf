"""The job service: create, claim, renew, finish and cancel jobs with transitions guarded in the database.

Every transition is one ``UPDATE ... WHERE`` on the current status (and, for a running job, on the worker
and attempt that hold its lease), so a job never runs its steps again once it has succeeded, and a worker
that lost its lease cannot overwrite the job.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import Insert, Select, Table, Update, bindparam, func, insert, or_, select, update

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import Conflict, NotFound
from shared.jobs.kinds import JobKind
from shared.jobs.records import JobLogRecord, JobRecord, detached_job
from shared.jobs.status import TERMINAL_STATUSES, JobStatus, TriggeredBy

DEFAULT_MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class Lease:
    """The right of one worker to run one attempt of a job, until ``expires_at`` unless renewed."""

    job_id: str
    worker_id: str
    attempt: int
    expires_at: datetime


@dataclass(frozen=True)
class LeaseState:
    """What a renewal found: whether the lease is still held and whether cancellation was asked."""

    is_held: bool
    is_cancel_requested: bool


def new_job_id() -> str:
    """A random job id (UUID4): ids are not guessable."""
    return str(uuid.uuid4())


@dataclass(frozen=True)
class JobRequest:
    """What a new job runs: its kind, the kind's spec, the caller's input context, the step records to show
    before it starts, (pipeline jobs only) which stored pipeline and revision it came from, and the job that
    waits for this one (``parent_job_id``: woken when this one finishes)."""

    kind: str
    spec: dict[str, Any]
    context: dict[str, Any] = field(default_factory=dict)
    steps: list[dict[str, Any]] = field(default_factory=list)
    pipeline_id: str | None = None
    pipeline_revision: int | None = None
    parent_job_id: str | None = None


def create_job(
    db: Database,
    kind: JobKind,
    request: JobRequest,
    *,
    triggered_by: TriggeredBy = TriggeredBy.API,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    schedule_id: str | None = None,
    request_id: str | None = None,
) -> JobRecord:
    """A committed ``queued`` job of ``kind`` (its spec is a snapshot: later edits don't change this run)."""
    return create_jobs(
        db,
        kind,
        [request],
        triggered_by=triggered_by,
        max_attempts=max_attempts,
        schedule_id=schedule_id,
        request_id=request_id,
    )[0]


def create_jobs(
    db: Database,
    kind: JobKind,
    requests: Sequence[JobRequest],
    *,
    triggered_by: TriggeredBy = TriggeredBy.API,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    schedule_id: str | None = None,
    request_id: str | None = None,
) -> list[JobRecord]:
    """Committed ``queued`` jobs of ``kind``, all in one transaction (one ``INSERT`` of prebuilt shape, no
    ORM unit of work and no read back: the rows are what we wrote)."""
    rows = [
        _new_row(
            kind,
            request,
            triggered_by=triggered_by,
            max_attempts=max_attempts,
            schedule_id=schedule_id,
            request_id=request_id,
        )
        for request in requests
    ]
    with db.engine.begin() as connection:
        connection.execute(_job_insert_statement(), rows[0] if len(rows) == 1 else rows)
    return [detached_job(row) for row in rows]


def new_job(
    kind: JobKind,
    request: JobRequest,
    *,
    triggered_by: TriggeredBy = TriggeredBy.API,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    schedule_id: str | None = None,
    scheduled_for: datetime | None = None,
    request_id: str | None = None,
) -> JobRecord:
    """A new, unsaved ``queued`` job row, for callers that add it inside their own transaction."""
    return JobRecord(
        **_new_row(
            kind,
            request,
            triggered_by=triggered_by,
            max_attempts=max_attempts,
            schedule_id=schedule_id,
            scheduled_for=scheduled_for,
            request_id=request_id,
        )
    )


def _new_row(
    kind: JobKind,
    request: JobRequest,
    *,
    triggered_by: TriggeredBy,
    max_attempts: int,
    schedule_id: str | None,
    request_id: str | None,
    scheduled_for: datetime | None = None,
) -> dict[str, Any]:
    if request.kind != kind.name:
        raise ValueError(f"a {request.kind!r} request given with kind {kind.name!r}")
    now = utcnow()
    return {
        "id": new_job_id(),
        "kind": kind.name,
        "status": JobStatus.QUEUED.value,
        "pipeline_id": request.pipeline_id,
        "pipeline_name": kind.label(request.spec)[:200],
        "pipeline_revision": request.pipeline_revision,
        "spec": request.spec,
        "input_context": request.context,
        "steps": request.steps,
        "progress": 0.0,
        "attempts": 0,
        "max_attempts": max_attempts,
        "cancel_requested": False,
        "triggered_by": triggered_by.value,
        "schedule_id": schedule_id,
        "scheduled_for": scheduled_for,
        "request_id": request_id,
        "parent_job_id": request.parent_job_id,
        "wake_requested": False,
        "created_at": now,
        "updated_at": now,
    }


@dataclass(frozen=True)
class Claim:
    """A job this worker just took: the lease and the job as it stands after the claim."""

    lease: Lease
    job: JobRecord


def claim_job(db: Database, job_id: str, worker_id: str, lease_seconds: float) -> Claim | None:
    """Take the job for ``worker_id`` (one ``UPDATE … RETURNING``): the claim, or None when the job is
    finished, leased elsewhere or unknown."""
    now = utcnow()
    expires = now + timedelta(seconds=lease_seconds)
    params = {"b_job_id": job_id, "b_worker_id": worker_id, "b_now": now, "b_expires": expires}
    # Core, not the ORM: the session and ORM loading cost more than the statement (the job comes back
    # detached, as it did when the session closed).
    with db.engine.begin() as connection:
        row = connection.execute(_claim_statement(), params).first()
    if row is None:
        return None
    job = detached_job(row._mapping)
    lease = Lease(job_id=job_id, worker_id=worker_id, attempt=job.attempts, expires_at=expires)
    return Claim(lease=lease, job=job)


def renew_lease(db: Database, lease: Lease, lease_seconds: float) -> LeaseState:
    """Extend the lease if this worker still holds it; also reports a cancellation request."""
    now = utcnow()
    with db.session() as session:
        result = session.execute(
            update(JobRecord)
            .where(*_held_by(lease), JobRecord.lease_expires_at >= now)
            .values(lease_expires_at=now + timedelta(seconds=lease_seconds))
            .returning(JobRecord.cancel_requested)
        )
        row = result.first()
    if row is None:
        return LeaseState(is_held=False, is_cancel_requested=False)
    return LeaseState(is_held=True, is_cancel_requested=bool(row[0]))


def record_progress(
    db: Database,
    lease: Lease,
    *,
    steps: list[dict[str, Any]] | None,
    current_step: str | None,
    progress: float,
    logs: Sequence[dict[str, Any]] = (),
) -> bool:
    """Store the per-step records (unless None), progress and new log lines of a running attempt; False if
    the lease is gone (nothing is written)."""
    values: dict[str, Any] = {"current_step": current_step, "progress": progress, "updated_at": utcnow()}
    if steps is not None:
        values["steps"] = steps
    with db.session() as session:
        result = session.execute(update(JobRecord).where(*_held_by(lease)).values(**values))
        is_held = result.rowcount == 1  # type: ignore[attr-defined]
        if is_held and logs:
            session.execute(insert(JobLogRecord), list(logs))
        return is_held


def finish_job(
    db: Database,
    lease: Lease,
    *,
    status: JobStatus,
    steps: list[dict[str, Any]],
    output_context: dict[str, Any] | None,
    error: str | None,
    logs: Sequence[dict[str, Any]] = (),
) -> dict[str, Any] | None:
    """Move a running attempt to a terminal status, with its last log lines, in one transaction; the
    finished row's columns (all but the spec, for the finish notification), or None when the lease was lost
    (nothing is written)."""
    assert status in TERMINAL_STATUSES
    now = utcnow()
    params = {
        **_lease_params(lease),
        "b_status": status.value,
        "b_steps": steps,
        "b_output_context": output_context,
        "b_error": error,
        "b_progress": 1.0 if status is JobStatus.SUCCEEDED else None,
        "b_now": now,
    }
    with db.engine.begin() as connection:
        row = connection.execute(_finish_statement(), params).first()
        if row is not None and logs:
            connection.execute(_log_insert_statement(), list(logs))
    return None if row is None else row._asdict()


def wait_for_children(
    db: Database,
    lease: Lease,
    *,
    wait_seconds: float,
    steps: list[dict[str, Any]],
    progress: float | None,
    logs: Sequence[dict[str, Any]] = (),
) -> bool | None:
    """End a running attempt without ending the job: it stays ``running`` with no worker (waiting) until a
    child wakes it or ``wait_seconds`` pass. Whether a child asked to wake it meanwhile (then the caller
    publishes it at once), or None when the lease was lost (nothing is written).

    ``max_attempts`` goes up with ``attempts``: an attempt that waits is not one that failed, so only
    attempts ended by a lost worker count against the limit."""
    now = utcnow()
    values: dict[str, Any] = {
        "worker_id": None,
        "lease_expires_at": now + timedelta(seconds=wait_seconds),
        "max_attempts": JobRecord.max_attempts + 1,
        "steps": steps,
        "current_step": None,
        "updated_at": now,
    }
    if progress is not None:
        values["progress"] = round(min(max(progress, 0.0), 1.0), 4)
    with db.session() as session:
        row = session.execute(
            update(JobRecord).where(*_held_by(lease)).values(**values).returning(JobRecord.wake_requested)
        ).first()
        if row is not None and logs:
            session.execute(insert(JobLogRecord), list(logs))
    return None if row is None else bool(row[0])


def wake_job(db: Database, job_id: str) -> str | None:
    """Ask a running job to look at its children again: the job's kind when it is waiting (publish it
    then), None when it is not running or a worker is advancing it (its attempt will see the request when
    it next waits, so a wake-up is never lost between its reads and its wait)."""
    with db.engine.begin() as connection:
        row = connection.execute(
            update(JobRecord)
            .where(JobRecord.id == job_id, JobRecord.status == JobStatus.RUNNING.value)
            .values(wake_requested=True)
            .returning(JobRecord.worker_id, JobRecord.kind)
        ).first()
    if row is None or row[0] is not None:
        return None
    return str(row[1])


def cancel_job(db: Database, job_id: str) -> JobRecord:
    """Cancel a queued or waiting job at once, or ask a running one to stop before its next step; the
    job's unfinished children (and theirs) are cancelled the same way."""
    now = utcnow()
    with db.session() as session:
        job = session.get(JobRecord, job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found")
        if JobStatus(job.status).is_terminal:
            raise Conflict(
                f"job {job_id} is already {job.status}; only queued or running jobs can be cancelled"
            )
        ids = [job_id]
        seen: set[str] = set()
        while ids:
            _cancel_rows(session, ids, now)
            seen.update(ids)
            ids = [
                child
                for child in session.execute(
                    select(JobRecord.id).where(JobRecord.parent_job_id.in_(ids))
                ).scalars()
                if child not in seen
            ]
    return get_job(db, job_id)


def _cancel_rows(session: Any, ids: list[str], now: datetime) -> None:
    is_waiting = (JobRecord.status == JobStatus.RUNNING.value) & JobRecord.worker_id.is_(None)
    for is_state, error in (
        (JobRecord.status == JobStatus.QUEUED.value, "cancelled before it started"),
        (is_waiting, "cancelled"),  # no worker to tell: it ends here
    ):
        session.execute(
            update(JobRecord)
            .where(JobRecord.id.in_(ids), is_state)
            .values(
                status=JobStatus.CANCELLED.value,
                finished_at=now,
                updated_at=now,
                cancel_requested=True,
                lease_expires_at=None,
                error=error,
            )
        )
    session.execute(
        update(JobRecord)
        .where(JobRecord.id.in_(ids), JobRecord.status == JobStatus.RUNNING.value)
        .values(cancel_requested=True, updated_at=now)
    )


def cancel_requested_among(db: Database, job_ids: Sequence[str]) -> set[str]:
    """Which of ``job_ids`` a caller asked to cancel (one query, for the lease renewer's tick)."""
    with db.reads() as session:
        rows = session.execute(
            select(JobRecord.id).where(JobRecord.id.in_(job_ids), JobRecord.cancel_requested.is_(True))
        )
        return {str(row[0]) for row in rows}


def get_job(db: Database, job_id: str) -> JobRecord:
    """The job with ``job_id`` (detached); :class:`NotFound` when there is none."""
    # A prebuilt Core SELECT: the ORM's session, identity map and loading cost more than the query.
    with db.read_engine.connect() as connection:
        row = connection.execute(_get_statement(), {"b_job_id": job_id}).first()
    if row is None:
        raise NotFound(f"job {job_id} not found")
    return detached_job(row._mapping)


def list_jobs(
    db: Database,
    *,
    status: JobStatus | None = None,
    kind: str | None = None,
    pipeline_id: str | None = None,
    schedule_id: str | None = None,
    triggered_by: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[JobRecord], int]:
    """A page of jobs, newest first, and the total that match the filters."""
    filters = []
    if triggered_by is not None:
        filters.append(JobRecord.triggered_by == triggered_by)
    if kind is not None:
        filters.append(JobRecord.kind == kind)
    if schedule_id is not None:
        filters.append(JobRecord.schedule_id == schedule_id)
    if status is not None:
        filters.append(JobRecord.status == status.value)
    if pipeline_id is not None:
        filters.append(JobRecord.pipeline_id == pipeline_id)
    with db.reads() as session:
        total = session.execute(select(func.count()).select_from(JobRecord).where(*filters)).scalar_one()
        rows = (
            session.execute(
                select(JobRecord)
                .where(*filters)
                .order_by(JobRecord.created_at.desc(), JobRecord.id)
                .limit(limit)
                .offset(offset)
            )
            .scalars()
            .all()
        )
    return list(rows), int(total)


def count_by_status(db: Database) -> dict[str, int]:
    """How many jobs are in each status (every status listed, zeros included)."""
    with db.reads() as session:
        rows = session.execute(select(JobRecord.status, func.count()).group_by(JobRecord.status)).all()
    counts = {s.value: 0 for s in JobStatus}
    counts.update({status: int(n) for status, n in rows})
    return counts


# The statements of the per-job path are built once: building an ORM statement and its cache key cost more
# CPU than running it (about 1 ms per job on the 2-core benchmark machine).


@cache
def _claim_statement() -> Update:
    table = cast(Table, JobRecord.__table__)
    return (
        update(table)
        .where(
            table.c.id == bindparam("b_job_id"),
            table.c.cancel_requested.is_(False),
            table.c.attempts < table.c.max_attempts,
            or_(
                table.c.status == JobStatus.QUEUED.value,
                (table.c.status == JobStatus.RUNNING.value)
                & (table.c.lease_expires_at < bindparam("b_now", type_=table.c.lease_expires_at.type)),
                # waiting for its children: no worker holds it, any wake-up may take it
                (table.c.status == JobStatus.RUNNING.value) & table.c.worker_id.is_(None),
            ),
        )
        .values(
            status=JobStatus.RUNNING.value,
            wake_requested=False,  # this attempt sees every child that finished before it
            worker_id=bindparam("b_worker_id"),
            attempts=table.c.attempts + 1,
            lease_expires_at=bindparam("b_expires", type_=table.c.lease_expires_at.type),
            started_at=func.coalesce(table.c.started_at, bindparam("b_now", type_=table.c.started_at.type)),
            updated_at=bindparam("b_now", type_=table.c.updated_at.type),
            error=None,
        )
        .returning(*table.c)
    )


@cache
def _finish_statement() -> Update:
    table = cast(Table, JobRecord.__table__)
    return (
        update(table)
        .where(
            table.c.id == bindparam("b_job_id"),
            table.c.status == JobStatus.RUNNING.value,
            table.c.worker_id == bindparam("b_lease_worker_id"),
            table.c.attempts == bindparam("b_attempt"),
        )
        .values(
            status=bindparam("b_status"),
            steps=bindparam("b_steps", type_=table.c.steps.type),
            output_context=bindparam("b_output_context", type_=table.c.output_context.type),
            error=bindparam("b_error"),
            progress=func.coalesce(bindparam("b_progress", type_=table.c.progress.type), table.c.progress),
            current_step=None,
            lease_expires_at=None,
            finished_at=bindparam("b_now", type_=table.c.finished_at.type),
            updated_at=bindparam("b_now", type_=table.c.updated_at.type),
        )
        .returning(*(column for column in table.c if column.name != "spec"))
    )


@cache
def _get_statement() -> Select[Any]:
    table = cast(Table, JobRecord.__table__)
    return select(table).where(table.c.id == bindparam("b_job_id"))


@cache
def _job_insert_statement() -> Insert:
    return insert(cast(Table, JobRecord.__table__))


@cache
def _log_insert_statement() -> Insert:
    return insert(cast(Table, JobLogRecord.__table__))


def _lease_params(lease: Lease) -> dict[str, Any]:
    return {"b_job_id": lease.job_id, "b_lease_worker_id": lease.worker_id, "b_attempt": lease.attempt}


def _held_by(lease: Lease) -> tuple[Any, ...]:
    return (
        JobRecord.id == lease.job_id,
        JobRecord.status == JobStatus.RUNNING.value,
        JobRecord.worker_id == lease.worker_id,
        JobRecord.attempts == lease.attempt,
    )
