"""``/api/v1/scheduler``: cron schedules of pipelines; beat fires them, these views only store them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.access import RouteGroup, requires
from backend.api.paging import PageQuerySchema, page_body, page_bounds
from backend.api.queue import enqueued
from backend.api.scheduler_schemas import (
    PreviewQuerySchema,
    PreviewRequestSchema,
    PreviewSchema,
    ScheduleCreateSchema,
    SchedulePageSchema,
    ScheduleSchema,
    ScheduleUpdateSchema,
)
from backend.api.schemas import EnqueuedSchema, JobPageSchema
from backend.services import services
from shared.errors import Conflict, InvalidInput, NotFound
from shared.jobs import service as jobs
from shared.jobs.enqueue import enqueue_job
from shared.jobs.status import TriggeredBy
from shared.pipelines import service as pipelines
from shared.pipelines.model import PipelineDefinition
from shared.pipelines.validation import check_inputs_given
from shared.scheduling import service as schedules
from shared.scheduling.cron import CronSchedule
from shared.scheduling.permissions import SCHEDULER_EXECUTE, SCHEDULER_READ, SCHEDULER_WRITE

blp = Blueprint("scheduler", __name__, url_prefix="/api/v1/scheduler", description="Cron schedules")


def schedule_body(view: schedules.ScheduleView) -> dict[str, Any]:
    """A schedule as the API shows it: its fields, its latest status and its pipeline's name."""
    record = view.record
    body = {name: getattr(record, name) for name in ScheduleSchema._declared_fields if hasattr(record, name)}
    body.update(last_status=view.last_status, pipeline_name=view.pipeline_name)
    return body


@blp.route("/jobs")
class Schedules(MethodView):
    @requires(SCHEDULER_READ)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, SchedulePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List schedules by name."""
        limit, offset = page_bounds(query)
        views, total = schedules.list_schedules(services().db, limit=limit, offset=offset)
        return page_body([schedule_body(v) for v in views], total, query, limit)

    @requires(SCHEDULER_WRITE)
    @blp.arguments(ScheduleCreateSchema)
    @blp.response(201, ScheduleSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a schedule; it fires from its next slot, without restarting beat."""
        svc = services()
        schedule_id = body.pop("id", None)
        if schedule_id is not None and _exists(schedule_id):
            raise Conflict(f"a schedule with id {schedule_id!r} already exists")
        fields = _named_pipeline(body)
        _check_inputs(fields)
        record = schedules.create_schedule(
            svc.db,
            fields,
            default_timezone=svc.settings.scheduler_timezone,
            kinds=svc.runtime.kinds,
            schedule_id=schedule_id,
        )
        return schedule_body(schedules.get_schedule(svc.db, record.id))


def _named_pipeline(body: dict[str, Any]) -> dict[str, Any]:
    """The body with the original Mimir's ``pipeline`` (a name or an id) as ``pipeline_id``/``_name``."""
    if "pipeline" not in body:
        return body
    fields = dict(body)
    reference = fields.pop("pipeline")
    if "pipeline_id" in fields or "pipeline_name" in fields:
        raise InvalidInput.at("pipeline", "give one of pipeline, pipeline_id or pipeline_name")
    try:
        fields["pipeline_id"] = pipelines.get_pipeline(services().db, reference).id
    except NotFound:
        fields["pipeline_name"] = reference  # an unknown name is reported by the service, naming it
    return fields


def _check_inputs(fields: dict[str, Any]) -> None:
    """A 422 now for a schedule whose context lacks an input its pipeline declares (every fire would fail)."""
    db = services().db
    try:
        if "pipeline_id" in fields:
            record = pipelines.get_pipeline(db, str(fields["pipeline_id"]))
        elif "pipeline_name" in fields:
            record = pipelines.get_pipeline_by_name(db, str(fields["pipeline_name"]))
        else:
            return
    except NotFound:
        return  # the service names the unknown pipeline
    check_inputs_given(PipelineDefinition.from_dict(record.definition), fields.get("context") or {})


def _exists(schedule_id: str) -> bool:
    try:
        schedules.get_schedule(services().db, schedule_id)
    except NotFound:
        return False
    return True


@blp.route("/jobs/<schedule_id>")
class ScheduleById(MethodView):
    @requires(SCHEDULER_READ)
    @blp.response(200, ScheduleSchema)
    def get(self, schedule_id: str) -> dict[str, Any]:
        """Get a schedule."""
        return schedule_body(schedules.get_schedule(services().db, schedule_id))

    @requires(SCHEDULER_WRITE)
    @blp.arguments(ScheduleUpdateSchema)
    @blp.response(200, ScheduleSchema)
    def put(self, body: dict[str, Any], schedule_id: str) -> dict[str, Any]:
        """Change some fields; a new timing applies from the next slot after now."""
        svc = services()
        schedules.update_schedule(svc.db, schedule_id, _named_pipeline(body), svc.runtime.kinds)
        return schedule_body(schedules.get_schedule(svc.db, schedule_id))

    @requires(SCHEDULER_WRITE)
    @blp.response(204)
    def delete(self, schedule_id: str) -> None:
        """Delete a schedule (the jobs it created are kept)."""
        schedules.delete_schedule(services().db, schedule_id)


@blp.route("/jobs/<schedule_id>/enable")
class EnableSchedule(MethodView):
    @requires(SCHEDULER_WRITE)
    @blp.response(200, ScheduleSchema)
    def post(self, schedule_id: str) -> dict[str, Any]:
        """Enable: fires from the next slot after now (slots passed while disabled are not caught up)."""
        db = services().db
        schedules.set_enabled(db, schedule_id, True)
        return schedule_body(schedules.get_schedule(db, schedule_id))


@blp.route("/jobs/<schedule_id>/disable")
class DisableSchedule(MethodView):
    @requires(SCHEDULER_WRITE)
    @blp.response(200, ScheduleSchema)
    def post(self, schedule_id: str) -> dict[str, Any]:
        """Disable: no more fires until enabled."""
        db = services().db
        schedules.set_enabled(db, schedule_id, False)
        return schedule_body(schedules.get_schedule(db, schedule_id))


@blp.route("/jobs/<schedule_id>/trigger")
class TriggerSchedule(MethodView):
    @requires(SCHEDULER_EXECUTE, group=RouteGroup.ENQUEUE)
    @blp.response(202, EnqueuedSchema)
    def post(self, schedule_id: str) -> dict[str, Any]:
        """Run the schedule's job now (``triggered_by: manual``), outside its slots."""
        svc = services()
        request = schedules.job_request_now(svc.db, schedules.get_schedule(svc.db, schedule_id).record)
        job = enqueue_job(
            svc.runtime, svc.celery, request, triggered_by=TriggeredBy.MANUAL, schedule_id=schedule_id
        )
        return enqueued(job)


@blp.route("/jobs/<schedule_id>/runs")
class ScheduleRuns(MethodView):
    @requires(SCHEDULER_READ)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, JobPageSchema)
    def get(self, query: dict[str, Any], schedule_id: str) -> dict[str, Any]:
        """The jobs this schedule created (fired and triggered), newest first."""
        db = services().db
        schedules.get_schedule(db, schedule_id)
        limit, offset = page_bounds(query)
        items, total = jobs.list_jobs(db, schedule_id=schedule_id, limit=limit, offset=offset)
        return page_body(items, total, query, limit)


@blp.route("/jobs/<schedule_id>/preview")
class PreviewSchedule(MethodView):
    @requires(SCHEDULER_READ)
    @blp.arguments(PreviewQuerySchema, location="query")
    @blp.response(200, PreviewSchema)
    def get(self, query: dict[str, Any], schedule_id: str) -> dict[str, Any]:
        """The schedule's next fire times."""
        record = schedules.get_schedule(services().db, schedule_id).record
        return _preview(schedules.cron_of(record), query["count"])


@blp.route("/preview")
class PreviewExpression(MethodView):
    @requires(SCHEDULER_READ)
    @blp.arguments(PreviewRequestSchema)
    @blp.response(200, PreviewSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """The next fire times of an expression, to check it before saving a schedule."""
        zone = body.get("timezone") or services().settings.scheduler_timezone
        return _preview(CronSchedule.parse(body["cron_expr"], zone), body["count"])


def _preview(cron: CronSchedule, count: int) -> dict[str, Any]:
    fires: list[datetime] = schedules.preview(cron, count)
    return {
        "cron_expr": cron.expression,
        "timezone": cron.timezone,
        "fire_times": fires,
        "fire_times_local": [f.astimezone(cron.zone).isoformat() for f in fires],
    }
