"""Request and response schemas. Request schemas name exactly what a client may set; unknown fields fail."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.api.paging import PageQuerySchema, page_schema
from backend.api.request_schema import RequestSchema
from shared.jobs.status import JobStatus
from shared.pipelines.loader import MAX_YAML_BYTES

_NAME = validate.Length(min=1, max=200)


class ContextField(fields.Dict):
    """The run's input context: a JSON object with string keys."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(keys=fields.String(), load_default=dict, **kwargs)  # type: ignore[arg-type]


class RunRequestSchema(RequestSchema):
    """Which pipeline to run (exactly one reference) and its input context."""

    pipeline_name = fields.String(validate=_NAME)
    pipeline_id = fields.String(validate=validate.Length(min=1, max=36))
    pipeline_file = fields.String(validate=validate.Length(min=1, max=1024))
    pipeline_yaml = fields.String(validate=validate.Length(min=1, max=MAX_YAML_BYTES))
    context = ContextField()


MAX_BATCH_RUNS = 1000


class EnqueueBatchSchema(RequestSchema):
    """Which pipeline to run (exactly one reference) and one input context per run (1 to 1,000)."""

    pipeline_name = fields.String(validate=_NAME)
    pipeline_id = fields.String(validate=validate.Length(min=1, max=36))
    pipeline_file = fields.String(validate=validate.Length(min=1, max=1024))
    pipeline_yaml = fields.String(validate=validate.Length(min=1, max=MAX_YAML_BYTES))
    contexts = fields.List(
        ContextField(),
        required=True,
        validate=validate.Length(
            min=1, max=MAX_BATCH_RUNS, error="give between {min} and {max} contexts, one per run"
        ),
    )


class ContextOnlySchema(RequestSchema):
    """The input context of a run of a stored pipeline."""

    context = ContextField()


class PipelineWriteSchema(RequestSchema):
    """A pipeline as YAML text or as an object of the same shape (exactly one)."""

    pipeline_yaml = fields.String(validate=validate.Length(min=1, max=MAX_YAML_BYTES))
    pipeline = fields.Dict(keys=fields.String())


class CloneSchema(RequestSchema):
    """The name of the copy (default: '<name> (copy)')."""

    name = fields.String(validate=_NAME)


class JobListQuerySchema(PageQuerySchema):
    """Job list filters."""

    status = fields.String(validate=validate.OneOf([s.value for s in JobStatus]))
    kind = fields.String(validate=validate.Length(min=1, max=32))
    pipeline_id = fields.String(validate=validate.Length(min=1, max=36))
    triggered_by = fields.String(validate=validate.OneOf(["api", "scheduler", "manual", "workflow"]))


WAIT_DEFAULT = "30s"
WAIT_TIMEOUT_CHARS = 32


class WaitQuerySchema(RequestSchema):
    """How long to wait: ``500ms``, ``30s``, ``2m`` (capped by ``server.max_wait_seconds``)."""

    timeout = fields.String(
        load_default=WAIT_DEFAULT, validate=validate.Length(min=1, max=WAIT_TIMEOUT_CHARS)
    )


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


PipelinePageSchema = page_schema(PipelineSchema, "A page of pipelines.")


class RevisionSchema(Schema):
    """One revision in a pipeline's history."""

    revision = fields.Integer()
    name = fields.String()
    definition = fields.Dict()
    source_yaml = fields.String(allow_none=True)
    created_at = fields.DateTime()


class PipelineStatusSchema(Schema):
    """A stored pipeline's state and its latest run (the original Mimir's ``/pipelines/{id}/status``)."""

    pipeline_id = fields.String()
    name = fields.String()
    enabled = fields.Boolean()
    revision = fields.Integer()
    status = fields.String(metadata={"description": "the latest run's status, or 'never_run'"})
    runs = fields.Integer(metadata={"description": "how many jobs ran this pipeline"})
    last_job_id = fields.String(allow_none=True)
    last_run = fields.DateTime(allow_none=True)
    last_finished = fields.DateTime(allow_none=True)
    last_error = fields.String(allow_none=True)


class ValidationResultSchema(Schema):
    """Whether a stored pipeline is valid against the plugins installed now."""

    valid = fields.Boolean()
    errors = fields.List(fields.Dict())


class JobSchema(Schema):
    """A job of any kind: its state, per-step records and, once finished, its output. ``pipeline_name`` is
    the job's label (for a pipeline job, its pipeline's name); ``type`` repeats ``kind`` for older clients."""

    id = fields.String()
    kind = fields.String()
    type = fields.Function(lambda job: job.kind, metadata={"description": "the same as kind"})
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
    """A job with its kind-specific spec (a pipeline job's: the definition it runs, a snapshot), which says
    where each step's output went."""

    spec = fields.Dict()


class JobSummarySchema(JobSchema):
    """A job as lists show it: its state without the contexts and per-step records."""

    class Meta:
        exclude = ("context", "output", "steps")


JobPageSchema = page_schema(
    JobSummarySchema,
    "A page of jobs, newest first, each a summary: the input and output contexts and the per-step records "
    "stay on GET /api/v1/queue/jobs/{id}.",
)


class JobCreateSchema(RequestSchema):
    """A job of a kind other than pipeline (pipelines: ``/queue/pipelines/enqueue``): its kind-specific
    spec and input context."""

    kind = fields.String(required=True, validate=validate.Length(min=1, max=32))
    spec = fields.Dict(keys=fields.String(), load_default=dict)
    context = ContextField()


class EnqueuedSchema(Schema):
    """An accepted job."""

    job_id = fields.String()
    kind = fields.String()
    status = fields.String()
    pipeline_name = fields.String()
    created_at = fields.DateTime()


class EnqueuedBatchSchema(Schema):
    """Accepted jobs, one per context, in the order of the contexts."""

    job_ids = fields.List(fields.String())
    count = fields.Integer()
    kind = fields.String()
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


class JobKindSchema(Schema):
    """An installed job kind."""

    name = fields.String(metadata={"description": "the job's ``kind`` (list filter, POST /queue/jobs)"})
    queue = fields.String(metadata={"description": "the broker queue its messages go to"})
    description = fields.String(metadata={"description": "what a job of this kind does"})
    is_schedulable = fields.Boolean(metadata={"description": "whether a schedule may target it"})
    is_queueable = fields.Boolean(
        metadata={
            "description": "whether POST /api/v1/queue/jobs {kind, spec} queues it (pipelines: "
            "/queue/pipelines/enqueue)"
        }
    )


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
