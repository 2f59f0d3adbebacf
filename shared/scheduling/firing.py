"""Firing due schedules: each slot at most once, by a unique (schedule, slot) row written with its job.

``fire_due_schedules`` is what the beat leader calls on every tick. For each enabled schedule whose
``next_run`` has passed it works out the slots to act on (catch-up policy for slots older than the misfire
grace, overlap policy when the previous run is still going), and for each slot commits, in one transaction,
the fire row and the job it creates (of the schedule's ``target_kind``: any schedulable kind). A second
beat that raced for the same slot fails on the fire row's primary key and creates nothing. Jobs are
published to their kind's queue after the commit; a publish that fails leaves a ``queued`` job that the
workers' recovery sweep re-publishes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs import service as jobs
from shared.jobs.kinds import JobKinds
from shared.jobs.records import JobRecord
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus, TriggeredBy
from shared.jobs.targets import RunTarget
from shared.observability import metrics
from shared.observability.context import new_request_id
from shared.pipelines.job_kind import PIPELINE_KIND
from shared.pipelines.model import PipelineDefinition
from shared.pipelines.records import PipelineRecord
from shared.scheduling.policies import CatchUp, Overlap
from shared.scheduling.records import ScheduleFireRecord, ScheduleRecord
from shared.scheduling.service import cron_of
from shared.slices import load_platform

log = logging.getLogger(__name__)
_ACTIVE = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)
_EPSILON = timedelta(microseconds=1)
MAX_SLOTS_PER_TICK = 100_000


@dataclass(frozen=True)
class FirePolicy:
    """The scheduler-wide knobs: how late a slot may be and still count as on time, and the catch-up cap."""

    misfire_grace: timedelta
    max_catchup: int


@dataclass(frozen=True)
class Fired:
    """One slot acted on: the job it created (None when skipped) and the job's kind."""

    schedule_id: str
    slot: datetime
    job_id: str | None
    kind: str = PIPELINE_KIND


def due_schedule_ids(db: Database, now: datetime) -> list[str]:
    """Enabled schedules whose next slot has passed or that hold a deferred slot."""
    with db.reads() as session:
        rows = session.execute(
            select(ScheduleRecord.id).where(
                ScheduleRecord.enabled.is_(True),
                (ScheduleRecord.next_run <= now) | ScheduleRecord.deferred_slot.is_not(None),
            )
        ).scalars()
        return list(rows)


def seconds_until_next_due(db: Database, now: datetime) -> float | None:
    """How long until the earliest enabled schedule is due; None when there is none."""
    with db.reads() as session:
        earliest = session.execute(
            select(ScheduleRecord.next_run)
            .where(ScheduleRecord.enabled.is_(True))
            .order_by(ScheduleRecord.next_run)
            .limit(1)
        ).scalar_one_or_none()
    return None if earliest is None else max((earliest - now).total_seconds(), 0.0)


def fire_due_schedules(
    db: Database, policy: FirePolicy, now: datetime | None = None, kinds: JobKinds | None = None
) -> list[Fired]:
    """Act on every due schedule; the slots fired or skipped (publish the fired jobs afterwards).
    ``kinds``: the installed job kinds (default: the built-in slices')."""
    now = now or utcnow()
    kinds = kinds if kinds is not None else load_platform().job_kinds
    fired: list[Fired] = []
    for schedule_id in due_schedule_ids(db, now):
        try:
            fired.extend(fire_schedule(db, schedule_id, policy, now, kinds))
        except Exception:  # one broken schedule must not stop the others
            log.exception("schedule %s could not be fired", schedule_id)
    return fired


def fire_schedule(
    db: Database, schedule_id: str, policy: FirePolicy, now: datetime, kinds: JobKinds
) -> list[Fired]:
    """Act on one schedule's due slots and move its ``next_run`` past ``now``."""
    with db.reads() as session:
        schedule = session.get(ScheduleRecord, schedule_id)
    if schedule is None or not schedule.enabled or schedule.next_run is None:
        return []
    seen_next_run = schedule.next_run
    cron = cron_of(schedule)
    results: list[Fired] = []
    deferred = schedule.deferred_slot
    if deferred is not None:
        slots: list[datetime] = []  # slots that come while a deferred run waits coalesce into it
        if not _has_active_run(db, schedule_id):
            results += _fire_or_skip(db, schedule, deferred, None, kinds)
            deferred = None
    else:
        slots = _slots_to_act_on(schedule, policy, now)
    for index, slot in enumerate(slots):
        if schedule.overlap != Overlap.ALLOW.value and (
            _started_a_run(results) or _has_active_run(db, schedule_id)
        ):
            if schedule.overlap == Overlap.SKIP.value:
                results += _fire_or_skip(db, schedule, slot, "previous run still going", kinds)
                continue
            deferred = slot  # QUEUE: hold this slot until the previous run ends; later ones coalesce
            log.info(
                "schedule %s: slot %s waits for the previous run (%d more coalesced)",
                schedule.name,
                slot.isoformat(),
                len(slots) - index - 1,
            )
            break
        results += _fire_or_skip(db, schedule, slot, None, kinds)
    next_run = cron.next_after(now)
    last = next((r for r in reversed(results) if r.job_id), None)
    with db.session() as session:
        values: dict[str, object] = {"next_run": next_run, "deferred_slot": deferred, "updated_at": utcnow()}
        if last is not None:
            values.update(last_run=last.slot, last_job_id=last.job_id, last_status=JobStatus.QUEUED.value)
        # Only if nobody (an API update, another beat) moved the schedule meanwhile.
        session.execute(
            update(ScheduleRecord)
            .where(ScheduleRecord.id == schedule_id, ScheduleRecord.next_run == seen_next_run)
            .values(**values)
        )
    return results


def _started_a_run(results: list[Fired]) -> bool:
    """Whether this tick already started a run of the schedule (which is active until a worker ends it)."""
    return any(r.job_id for r in results)


def _slots_to_act_on(schedule: ScheduleRecord, policy: FirePolicy, now: datetime) -> list[datetime]:
    assert schedule.next_run is not None
    window_start = now - timedelta(seconds=schedule.catchup_window_seconds)
    start = max(schedule.next_run, window_start) - _EPSILON
    due = cron_of(schedule).fires_between(start, now, MAX_SLOTS_PER_TICK)
    on_time_after = now - policy.misfire_grace
    missed = [s for s in due if s < on_time_after]
    on_time = [s for s in due if s >= on_time_after]
    if missed:
        log.warning(
            "schedule %s missed %d slot(s) (catch-up %s)", schedule.name, len(missed), schedule.catchup
        )
    if schedule.catchup == CatchUp.ALL.value:
        kept = missed[-policy.max_catchup :]
    elif schedule.catchup == CatchUp.LAST.value:
        kept = missed[-1:]
    else:
        kept = []
    return kept + on_time


def _has_active_run(db: Database, schedule_id: str) -> bool:
    with db.reads() as session:
        return (
            session.execute(
                select(JobRecord.id)
                .where(JobRecord.schedule_id == schedule_id, JobRecord.status.in_(_ACTIVE))
                .limit(1)
            ).first()
            is not None
        )


def _fire_or_skip(
    db: Database, schedule: ScheduleRecord, slot: datetime, skip_reason: str | None, kinds: JobKinds
) -> list[Fired]:
    """Commit the fire row for ``slot`` (and its job unless skipped); nothing if the slot was taken."""
    try:
        with db.session() as session:
            job = None
            if skip_reason is None:
                job, skip_reason = _job_for(session, schedule, slot, kinds)
            session.add(
                ScheduleFireRecord(
                    schedule_id=schedule.id,
                    slot=slot,
                    outcome="fired" if job else "skipped",
                    job_id=job.id if job else None,
                    reason=skip_reason,
                    created_at=utcnow(),
                )
            )
            session.flush()  # the fire row first: a slot already taken fails here, before the job is written
            if job is not None:
                session.add(job)
    except IntegrityError:
        log.info("schedule %s: slot %s was already fired", schedule.name, slot.isoformat())
        return []
    metrics.schedule_fired("fired" if job else "skipped", job.pipeline_name if job else None)
    if job is None:
        log.info("schedule %s: slot %s skipped: %s", schedule.name, slot.isoformat(), skip_reason)
    return [Fired(schedule.id, slot, job.id if job else None, schedule.target_kind)]


def _job_for(
    session: Session, schedule: ScheduleRecord, slot: datetime, kinds: JobKinds
) -> tuple[JobRecord | None, str | None]:
    """The job the slot creates, or None and why it is skipped."""
    if schedule.target_kind not in kinds:
        return None, f"job kind {schedule.target_kind!r} is not installed"
    kind = kinds.get(schedule.target_kind)
    context = dict(schedule.context or {})
    if kind.name == PIPELINE_KIND:
        # A pipeline schedule runs the stored pipeline as it is at the slot, not as it was when scheduled.
        pipeline = session.get(PipelineRecord, schedule.pipeline_id) if schedule.pipeline_id else None
        if pipeline is None or not pipeline.enabled:
            return None, "pipeline is disabled" if pipeline else "pipeline no longer exists"
        target = RunTarget(PipelineDefinition.from_dict(pipeline.definition), pipeline.id, pipeline.revision)
        request = target.job_request(context)
    else:
        request = JobRequest(kind=kind.name, spec=dict(schedule.target_spec or {}), context=context)
    job = jobs.new_job(
        kind,
        request,
        triggered_by=TriggeredBy.SCHEDULER,
        schedule_id=schedule.id,
        scheduled_for=slot,
        # No HTTP request behind a scheduled run: an id naming the schedule stands in.
        request_id=new_request_id(prefix=f"sched-{schedule.id[:8]}-"),
    )
    return job, None
