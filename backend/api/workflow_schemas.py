"""Request and response schemas of the workflows API. The YAML inside is checked by the domain
(``shared/workflows/validation.py``), whose refusals locate each problem
(``tasks[2](load).depends_on[0]``)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from backend.api.paging import page_schema
from backend.api.request_schema import RequestSchema
from backend.api.schemas import ContextField, JobSummarySchema
from shared.pipelines.loader import MAX_YAML_BYTES


class WorkflowWriteSchema(RequestSchema):
    """A workflow as YAML: ``name``, ``tasks`` (each an ``id``, a ``pipeline`` or ``pipeline_yaml``,
    ``depends_on``, ``context``, ``retries``, ``retry_delay_seconds``, ``for_each``)."""

    workflow_yaml = fields.String(required=True, validate=validate.Length(min=1, max=MAX_YAML_BYTES))


class WorkflowRunSchema(RequestSchema):
    """The run's input context (every task's child gets it)."""

    context = ContextField()


class WorkflowSchema(Schema):
    """A stored workflow."""

    id = fields.String()
    name = fields.String()
    description = fields.String()
    revision = fields.Integer()
    task_count = fields.Integer()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class WorkflowDetailSchema(WorkflowSchema):
    """A stored workflow with its YAML and validated definition."""

    workflow_yaml = fields.String(attribute="source_yaml")
    definition = fields.Dict()


class WorkflowRevisionSchema(Schema):
    revision = fields.Integer()
    workflow_yaml = fields.String(attribute="source_yaml")
    created_at = fields.DateTime()


class WorkflowValidationSchema(Schema):
    """Whether unsaved workflow YAML is valid, and every problem with its location."""

    valid = fields.Boolean()
    errors = fields.List(fields.Dict())


class TaskInstanceSchema(Schema):
    """One instance of a task (a fan-out has one per item; a plain task's ``item_index`` is -1)."""

    item_index = fields.Integer()
    item = fields.Raw(allow_none=True)
    status = fields.String(metadata={"description": "pending, queued, running, retrying, succeeded, failed"})
    attempt = fields.Integer(metadata={"description": "task attempts started (retries add one each)"})
    job_id = fields.String(allow_none=True, metadata={"description": "the child job of the latest attempt"})
    error = fields.String(allow_none=True)


class TaskRunSchema(Schema):
    """One task of a run: where it sits in the DAG and how far it got."""

    id = fields.String()
    depends_on = fields.List(fields.String())
    pipeline = fields.String(allow_none=True)
    is_inline = fields.Boolean()
    is_fanout = fields.Boolean()
    retries = fields.Integer()
    status = fields.String(metadata={"description": "pending, running, succeeded, failed or skipped"})
    error = fields.String(allow_none=True)
    instance_count = fields.Integer()
    instance_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    instances = fields.List(fields.Nested(TaskInstanceSchema), metadata={"description": "the first 200"})


class WorkflowRunDetailSchema(Schema):
    """A workflow run: its job, the workflow revision it runs, and each task's state."""

    job = fields.Nested(JobSummarySchema)
    status = fields.String()
    workflow_id = fields.String(allow_none=True)
    workflow_name = fields.String()
    revision = fields.Integer()
    resumed_from = fields.String(allow_none=True)
    tasks = fields.List(fields.Nested(TaskRunSchema))


WorkflowPageSchema = page_schema(WorkflowSchema, "A page of workflows by name.")


class WorkflowRunSummarySchema(JobSummarySchema):
    """A run of a workflow as lists show it: its job's state."""


WorkflowRunPageSchema = page_schema(
    WorkflowRunSummarySchema, "A page of a workflow's runs (their jobs), newest first."
)
