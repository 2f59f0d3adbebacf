"""Schedules: create, read, update, delete, enable, disable, run now, history and preview."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import Conflict, InvalidInput, NotFound
from shared.jobs.kinds import JobKinds
from shared.jobs.records import JobRecord
from shared.jobs.service import JobRequest
from shared.jobs.targets import stored_target
from shared.pipelines import service as pipelines
from shared.pipelines.job_kind import PIPELINE_KIND
from shared.pipelines.records import PipelineRecord
from shared.pipelines.validation import check_inputs_given
from shared.scheduling.cron import CronSchedule
from shared.scheduling.policies import CatchUp, Overlap
from shared.scheduling.records import ScheduleRecord
from shared.slices import load_platform

# Fields a client may set; everything else (next_run, last_run, ...) is the scheduler's.
WRITABLE = (
    "name",
    "description",
    "target_kind",
    "target_spec",
    "pipeline_id",
    "pipeline_name",
    "context",
    "cron_expr",
    "timezone",
    "enabled",
    "catchup",
    "catchup_window_seconds",
    "overlap",
)
DEFAULT_CATCHUP_WINDOW_SECONDS = 86_400


@dataclass(frozen=True)
class ScheduleView:
    """A schedule with the live status of its last run."""

    record: ScheduleRecord
    last_status: str | None
    pipeline_name: str | None


def cron_of(record: ScheduleRecord) -> CronSchedule:
    """The schedule's cron expression and time zone (stored values were validated on the way in)."""
    return CronSchedule(record.cron_expr, record.timezone)


def create_schedule(
    db: Database,
    fields: dict[str, Any],
    *,
    default_timezone: str,
    kinds: JobKinds | None = None,
    schedule_id: str | None = None,
) -> ScheduleRecord:
    """A new schedule (with ``schedule_id`` when the client chose one); its first ``next_run`` is the first
    slot after now. It runs a stored pipeline (``pipeline_id`` or ``pipeline_name``) or, with
    ``target_kind``, a job of any schedulable kind of ``kinds`` with ``target_spec``."""
    if "name" not in fields or "cron_expr" not in fields:
        missing = "name" if "name" not in fields else "cron_expr"
        raise InvalidInput.at(missing, "is required")
    now = utcnow()
    record = ScheduleRecord(
        id=schedule_id or str(uuid.uuid4()),
        target_kind=PIPELINE_KIND,
        target_spec={},
        description="",
        context={},
        timezone=default_timezone,
        enabled=True,
        catchup=CatchUp.NONE.value,
        catchup_window_seconds=DEFAULT_CATCHUP_WINDOW_SECONDS,
        overlap=Overlap.ALLOW.value,
        created_at=now,
        updated_at=now,
    )
    is_pipeline = fields.get("target_kind", PIPELINE_KIND) == PIPELINE_KIND
    if is_pipeline and "pipeline_id" not in fields and "pipeline_name" not in fields:
        raise InvalidInput.at("pipeline_id", "give pipeline_id or pipeline_name: the pipeline to run")
    _apply(db, record, fields, now, kinds)
    with db.session() as session:
        session.add(record)
        _flush_unique(session, record.name)
    return record


def update_schedule(
    db: Database, schedule_id: str, fields: dict[str, Any], kinds: JobKinds | None = None
) -> ScheduleRecord:
    """Change the given fields; a changed timing or re-enabling recomputes ``next_run`` from now."""
    now = utcnow()
    with db.session() as session:
        record = _get_for_update(session, schedule_id)
        _apply(db, record, fields, now, kinds)
        record.updated_at = now
        _flush_unique(session, record.name)
    return record


def set_enabled(db: Database, schedule_id: str, enabled: bool) -> ScheduleRecord:
    """Enable (from the next slot after now; slots passed while disabled are not caught up) or disable."""
    return update_schedule(db, schedule_id, {"enabled": enabled})


def delete_schedule(db: Database, schedule_id: str) -> None:
    """Delete the schedule and its fire records (the jobs it created stay, for history)."""
    with db.session() as session:
        session.delete(_get_for_update(session, schedule_id))


def get_schedule(db: Database, schedule_id: str) -> ScheduleView:
    """The schedule and the live status of its last run."""
    with db.reads() as session:
        record = session.get(ScheduleRecord, schedule_id)
        if record is None:
            raise NotFound(f"schedule {schedule_id} not found")
        return _view(session, record)


def list_schedules(db: Database, *, limit: int, offset: int) -> tuple[list[ScheduleView], int]:
    """A page of schedules by name, and how many there are."""
    with db.reads() as session:
        total = session.execute(select(func.count()).select_from(ScheduleRecord)).scalar_one()
        rows = session.execute(
            select(ScheduleRecord).order_by(ScheduleRecord.name).limit(limit).offset(offset)
        ).scalars()
        return [_view(session, r) for r in rows], int(total)


def job_request_now(db: Database, record: ScheduleRecord) -> JobRequest:
    """The job the schedule runs if triggered now: its pipeline at the current revision (Conflict if the
    pipeline is disabled), or its ``target_spec`` for another kind."""
    context = dict(record.context or {})
    if record.target_kind == PIPELINE_KIND and record.pipeline_id is not None:
        target = stored_target(pipelines.get_pipeline(db, record.pipeline_id))
        check_inputs_given(target.definition, context)
        return target.job_request(context)
    return JobRequest(kind=record.target_kind, spec=dict(record.target_spec or {}), context=context)


def preview(
    record: ScheduleRecord | CronSchedule, count: int, after: datetime | None = None
) -> list[datetime]:
    """The next ``count`` fire times after ``after`` (default now)."""
    cron = record if isinstance(record, CronSchedule) else cron_of(record)
    fires = []
    for fire in cron.fires_after(after or utcnow()):
        fires.append(fire)
        if len(fires) >= count:
            break
    return fires


def _apply(
    db: Database, record: ScheduleRecord, fields: dict[str, Any], now: datetime, kinds: JobKinds | None
) -> None:
    unknown = sorted(set(fields) - set(WRITABLE))
    if unknown:
        raise InvalidInput.at(unknown[0], "is not a field a client may set")
    if "pipeline_id" in fields and "pipeline_name" in fields:
        raise InvalidInput.at("pipeline_id", "give pipeline_id or pipeline_name, not both")
    _apply_target(db, record, fields, kinds)
    for name in ("name", "description", "context"):
        if name in fields:
            setattr(record, name, fields[name])
    if "catchup" in fields:
        record.catchup = _choice(CatchUp, "catchup", fields["catchup"])
    if "overlap" in fields:
        record.overlap = _choice(Overlap, "overlap", fields["overlap"])
    if "catchup_window_seconds" in fields:
        window = fields["catchup_window_seconds"]
        if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 366 * 86400:
            raise InvalidInput.at("catchup_window_seconds", "must be a whole number from 1 to 31622400")
        record.catchup_window_seconds = window
    timing_changed = False
    if "cron_expr" in fields or "timezone" in fields:
        cron = CronSchedule.parse(
            str(fields.get("cron_expr", record.cron_expr)), str(fields.get("timezone", record.timezone))
        )
        timing_changed = (cron.expression, cron.timezone) != (record.cron_expr, record.timezone)
        record.cron_expr, record.timezone = cron.expression, cron.timezone
    if "enabled" in fields:
        timing_changed = timing_changed or (bool(fields["enabled"]) and not record.enabled)
        record.enabled = bool(fields["enabled"])
    if timing_changed or record.next_run is None:
        record.next_run = cron_of(record).next_after(now)
        record.deferred_slot = None


def _apply_target(
    db: Database, record: ScheduleRecord, fields: dict[str, Any], kinds: JobKinds | None
) -> None:
    """Set what the schedule runs: a stored pipeline, or a spec of another schedulable kind."""
    is_set = record.target_kind != PIPELINE_KIND or record.pipeline_id is not None
    if is_set and not {"target_kind", "target_spec", "pipeline_id", "pipeline_name"} & set(fields):
        return
    kind_name = str(fields.get("target_kind", record.target_kind))
    names_pipeline = "pipeline_id" in fields or "pipeline_name" in fields
    if kind_name == PIPELINE_KIND:
        if "target_spec" in fields:
            raise InvalidInput.at("target_spec", "a pipeline schedule names its pipeline with pipeline_id")
        if names_pipeline:
            record.pipeline_id = _pipeline(db, fields).id
        elif record.pipeline_id is None:
            raise InvalidInput.at("pipeline_id", "give pipeline_id or pipeline_name: the pipeline to run")
        record.target_kind, record.target_spec = PIPELINE_KIND, {}
        return
    if names_pipeline:
        raise InvalidInput.at("pipeline_id", f"a schedule of kind {kind_name!r} runs no pipeline")
    kinds = kinds if kinds is not None else load_platform().job_kinds
    kind = kinds.get(kind_name)
    if not kind.is_schedulable or kind.check_spec is None:
        raise InvalidInput.at("target_kind", f"jobs of kind {kind.name!r} cannot be scheduled")
    if kind_name != record.target_kind or "target_spec" in fields:
        record.target_spec = kind.check_spec(fields.get("target_spec") or {})
    record.target_kind, record.pipeline_id = kind.name, None


def _pipeline(db: Database, fields: dict[str, Any]) -> PipelineRecord:
    try:
        if "pipeline_id" in fields:
            return pipelines.get_pipeline(db, str(fields["pipeline_id"]))
        return pipelines.get_pipeline_by_name(db, str(fields["pipeline_name"]))
    except NotFound as exc:
        where = "pipeline_id" if "pipeline_id" in fields else "pipeline_name"
        raise InvalidInput.at(where, f"no such pipeline {fields[where]!r}") from exc


def _choice(kind: type[CatchUp] | type[Overlap], name: str, value: Any) -> str:
    try:
        return kind(value).value
    except ValueError as exc:
        allowed = ", ".join(k.value for k in kind)
        raise InvalidInput.at(name, f"{value!r} is not one of {allowed}") from exc


def _flush_unique(session: Any, name: str) -> None:
    try:
        session.flush()
    except IntegrityError as exc:
        raise Conflict(f"a schedule named {name!r} already exists") from exc


def _get_for_update(session: Any, schedule_id: str) -> ScheduleRecord:
    record = session.get(ScheduleRecord, schedule_id)
    if record is None:
        raise NotFound(f"schedule {schedule_id} not found")
    return record


def _view(session: Any, record: ScheduleRecord) -> ScheduleView:
    status = None
    if record.last_job_id:
        status = session.execute(
            select(JobRecord.status).where(JobRecord.id == record.last_job_id)
        ).scalar_one_or_none()
    name = None
    if record.pipeline_id is not None:
        name = session.execute(
            select(PipelineRecord.name).where(PipelineRecord.id == record.pipeline_id)
        ).scalar_one_or_none()
    return ScheduleView(record, status or record.last_status, name)
