"""Request and response schemas of ``/api/v1/scheduler``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.api.paging import page_schema
from backend.api.request_schema import RequestSchema
from backend.api.schemas import ContextField
from shared.scheduling.policies import CatchUp, Overlap

_NAME = validate.Length(min=1, max=200)


class ScheduleUpdateSchema(RequestSchema):
    """The fields a client may change; any subset."""

    name = fields.String(validate=_NAME)
    description = fields.String(validate=validate.Length(max=2000))
    target_kind = fields.String(validate=validate.Length(min=1, max=32))
    target_spec = fields.Dict(keys=fields.String())
    pipeline_id = fields.String(validate=validate.Length(min=1, max=36))
    pipeline_name = fields.String(validate=_NAME)
    context = fields.Dict(keys=fields.String())
    cron_expr = fields.String(validate=validate.Length(min=1, max=200))
    timezone = fields.String(validate=validate.Length(min=1, max=64))
    enabled = fields.Boolean()
    catchup = fields.String(validate=validate.OneOf([c.value for c in CatchUp]))
    catchup_window_seconds = fields.Integer(strict=True, validate=validate.Range(min=1, max=366 * 86400))
    overlap = fields.String(validate=validate.OneOf([o.value for o in Overlap]))
    # The original Mimir's field: a pipeline's name or id.
    pipeline = fields.String(validate=_NAME)


class ScheduleCreateSchema(ScheduleUpdateSchema):
    """A new schedule: a name, a cron expression and what it runs are required: the pipeline (by id or
    name), or ``target_kind`` and ``target_spec`` for another schedulable job kind. The id is the client's
    choice when given (as the original Mimir's requests do)."""

    id = fields.String(
        validate=[validate.Length(min=1, max=36), validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    )
    name = fields.String(required=True, validate=_NAME)
    cron_expr = fields.String(required=True, validate=validate.Length(min=1, max=200))
    context = ContextField()


class ScheduleSchema(Schema):
    """A schedule, its next slot and its last run."""

    id = fields.String()
    name = fields.String()
    description = fields.String()
    target_kind = fields.String()
    target_spec = fields.Dict()
    pipeline_id = fields.String(allow_none=True)
    pipeline_name = fields.String(allow_none=True)
    context = fields.Dict()
    cron_expr = fields.String()
    timezone = fields.String()
    enabled = fields.Boolean()
    catchup = fields.String()
    catchup_window_seconds = fields.Integer()
    overlap = fields.String()
    next_run = fields.DateTime(allow_none=True)
    deferred_slot = fields.DateTime(allow_none=True)
    last_run = fields.DateTime(allow_none=True)
    last_status = fields.String(allow_none=True)
    last_job_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


SchedulePageSchema = page_schema(ScheduleSchema, "A page of schedules, by name.")


class PreviewQuerySchema(RequestSchema):
    """How many fire times to list."""

    count = fields.Integer(load_default=10, validate=validate.Range(min=1, max=500))


class PreviewRequestSchema(PreviewQuerySchema):
    """An expression to try before saving a schedule."""

    cron_expr = fields.String(required=True, validate=validate.Length(min=1, max=200))
    timezone = fields.String(validate=validate.Length(min=1, max=64))


class PreviewSchema(Schema):
    """The next fire times, in UTC and in the schedule's time zone."""

    cron_expr = fields.String()
    timezone = fields.String()
    fire_times = fields.List(fields.DateTime())
    fire_times_local = fields.List(fields.String())
