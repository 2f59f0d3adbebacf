"""Request and response schemas. Request schemas name exactly what a client may set; unknown fields fail."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.jobs.status import JobStatus
from shared.pipelines.loader import MAX_YAML_BYTES

_NAME = validate.Length(min=1, max=200)


class ContextField(fields.Dict):
    """The run's input context: a JSON object with string keys."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(keys=fields.String(), load_default=dict, **kwargs)  # type: ignore[arg-type]


class RunRequestSchema(Schema):
    """Which pipeline to run (exactly one reference) and its input context."""

    pipeline_name = fields.String(validate=_NAME)
    pipeline_id = fields.String(validate=validate.Length(min=1, max=36))
    pipeline_file = fields.String(validate=validate.Length(min=1, max=1024))
    pipeline_yaml = fields.String(validate=validate.Length(min=1, max=MAX_YAML_BYTES))
    context = ContextField()


class ContextOnlySchema(Schema):
    """The input context of a run of a stored pipeline."""

    context = ContextField()


class PipelineWriteSchema(Schema):
    """A pipeline as YAML text or as an object of the same shape (exactly one)."""

    pipeline_yaml = fields.String(validate=validate.Length(min=1, max=MAX_YAML_BYTES))
    pipeline = fields.Dict(keys=fields.String())


class CloneSchema(Schema):
    """The name of the copy (default: '<name> (copy)')."""

    name = fields.String(validate=_NAME)


class PageQuerySchema(Schema):
    """Pagination: 1-based page, and page size."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))


class JobListQuerySchema(PageQuerySchema):
    """Job list filters."""

    status = fields.String(validate=validate.OneOf([s.value for s in JobStatus]))
    pipeline_id = fields.String(validate=validate.Length(min=1, max=36))
    triggered_by = fields.String(validate=validate.OneOf(["api", "scheduler", "manual"]))


class WaitQuerySchema(Schema):
    """How long to wait: ``500ms``, ``30s``, ``2m`` (capped by ``server.max_wait_seconds``)."""

    timeout = fields.String(load_default="30s", validate=validate.Length(min=1, max=32))


class PipelineSchema(Schema):
    """A stored pipeline."""

    id = fields.String()
    name = fields.String()
    description = fields.String()
    enabled = fields.Boolean()
    revision = fields.Integer()
    definition = fields.Dict()
    source_yaml = fields.String(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class PipelinePageSchema(Schema):
    """A page of pipelines."""

    items = fields.List(fields.Nested(PipelineSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class RevisionSchema(Schema):
    """One revision in a pipeline's history."""

    revision = fields.Integer()
    name = fields.String()
    definition = fields.Dict()
    source_yaml = fields.String(allow_none=True)
    created_at = fields.DateTime()


class ValidationResultSchema(Schema):
    """Whether a stored pipeline is valid against the plugins installed now."""

    valid = fields.Boolean()
    errors = fields.List(fields.Dict())


class JobSchema(Schema):
    """A job: its state, per-step records and, once finished, its output context."""

    id = fields.String()
    type = fields.String()
    status = fields.String()
    pipeline_id = fields.String(allow_none=True)
    pipeline_name = fields.String()
    pipeline_revision = fields.Integer(allow_none=True)
    progress = fields.Float()
    current_step = fields.String(allow_none=True)
    steps = fields.List(fields.Dict())
    context = fields.Dict(attribute="input_context")
    output = fields.Dict(attribute="output_context", allow_none=True)
    error = fields.String(allow_none=True)
    worker_id = fields.String(allow_none=True)
    attempts = fields.Integer()
    cancel_requested = fields.Boolean()
    triggered_by = fields.String()
    schedule_id = fields.String(allow_none=True)
    scheduled_for = fields.DateTime(allow_none=True)
    request_id = fields.String(allow_none=True)
    created_at = fields.DateTime()
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime()


class JobDetailSchema(JobSchema):
    """A job with the pipeline definition it ran (a snapshot): where each step's output went."""

    definition = fields.Dict()


class JobPageSchema(Schema):
    """A page of jobs, newest first."""

    items = fields.List(fields.Nested(JobSchema))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class EnqueuedSchema(Schema):
    """An accepted job."""

    job_id = fields.String()
    status = fields.String()
    pipeline_name = fields.String()
    created_at = fields.DateTime()


class ExecuteResultSchema(Schema):
    """The result of a synchronous run (Mimir's shape, plus the job id and per-step records)."""

    success = fields.Boolean()
    job_id = fields.String()
    status = fields.String()
    context = fields.Dict()
    error = fields.String(allow_none=True)
    steps = fields.List(fields.Dict())
    executed_at = fields.DateTime()


class QueueStatusSchema(Schema):
    """Counts of jobs by status, workers online, and broker queue lengths."""

    queued = fields.Integer()
    running = fields.Integer()
    succeeded = fields.Integer()
    failed = fields.Integer()
    cancelled = fields.Integer()
    workers_online = fields.Integer(allow_none=True)
    workers = fields.List(fields.String())
    queues = fields.Dict(keys=fields.String(), values=fields.Integer(allow_none=True))
