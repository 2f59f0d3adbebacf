"""``/api/v1/workflows``: workflows (DAGs of pipeline tasks), their runs, and resuming a failed run."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.access import RouteGroup, requires
from backend.api.paging import PageQuerySchema, page_body, page_bounds
from backend.api.queue import enqueued
from backend.api.schemas import EnqueuedSchema
from backend.api.workflow_schemas import (
    WorkflowDetailSchema,
    WorkflowPageSchema,
    WorkflowRevisionSchema,
    WorkflowRunDetailSchema,
    WorkflowRunPageSchema,
    WorkflowRunSchema,
    WorkflowValidationSchema,
    WorkflowWriteSchema,
)
from backend.services import services
from shared.errors import InvalidInput
from shared.jobs.enqueue import enqueue_job
from shared.jobs.service import JobRequest
from shared.workflows import runs, service
from shared.workflows.permissions import WORKFLOWS_READ, WORKFLOWS_RUN, WORKFLOWS_WRITE
from shared.workflows.validation import parse_workflow

blp = Blueprint("workflows", __name__, url_prefix="/api/v1/workflows", description="Workflows of pipelines")


def _enqueue(request: JobRequest) -> dict[str, Any]:
    svc = services()
    return enqueued(enqueue_job(svc.runtime, svc.celery, request))


@blp.route("")
class Workflows(MethodView):
    @requires(WORKFLOWS_READ)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, WorkflowPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List workflows by name."""
        limit, offset = page_bounds(query)
        items, total = service.list_workflows(services().db, limit=limit, offset=offset)
        return page_body(items, total, query, limit)

    @requires(WORKFLOWS_WRITE)
    @blp.arguments(WorkflowWriteSchema)
    @blp.response(201, WorkflowDetailSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a workflow from YAML (refusals name the task and field)."""
        svc = services()
        return service.create_workflow(svc.db, svc.plugins, body["workflow_yaml"])


@blp.route("/validate")
class ValidateWorkflow(MethodView):
    @requires(WORKFLOWS_READ)
    @blp.arguments(WorkflowWriteSchema)
    @blp.response(200, WorkflowValidationSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Check unsaved workflow YAML; every problem with its location."""
        try:
            parse_workflow(body["workflow_yaml"], services().plugins)
        except InvalidInput as exc:  # a located definition problem, or YAML that does not parse
            return {"valid": False, "errors": exc.errors or [{"location": "", "message": exc.message}]}
        return {"valid": True, "errors": []}


@blp.route("/runs/<job_id>")
class WorkflowRun(MethodView):
    @requires(WORKFLOWS_READ)
    @blp.response(200, WorkflowRunDetailSchema)
    def get(self, job_id: str) -> dict[str, Any]:
        """A run with each task's dependencies, status and instances (with their child jobs)."""
        return runs.run_view(services().db, job_id)


@blp.route("/runs/<job_id>/resume")
class ResumeWorkflowRun(MethodView):
    @requires(WORKFLOWS_RUN, group=RouteGroup.ENQUEUE)
    @blp.response(202, EnqueuedSchema)
    def post(self, job_id: str) -> dict[str, Any]:
        """Run a failed or cancelled run again as a new run that keeps its succeeded tasks: only the failed
        and skipped tasks run (with the workflow's current revision and the same input); 202 with the new
        job id."""
        return _enqueue(runs.resume_request(services().db, job_id))


@blp.route("/<workflow_id>")
class WorkflowById(MethodView):
    @requires(WORKFLOWS_READ)
    @blp.response(200, WorkflowDetailSchema)
    def get(self, workflow_id: str) -> Any:
        """A workflow with its YAML and definition."""
        return service.get_workflow(services().db, workflow_id)

    @requires(WORKFLOWS_WRITE)
    @blp.arguments(WorkflowWriteSchema)
    @blp.response(200, WorkflowDetailSchema)
    def put(self, body: dict[str, Any], workflow_id: str) -> Any:
        """Replace a workflow's YAML (its revision goes up by one; runs keep the revision they ran)."""
        svc = services()
        return service.update_workflow(svc.db, svc.plugins, workflow_id, body["workflow_yaml"])

    @requires(WORKFLOWS_WRITE)
    @blp.response(204)
    def delete(self, workflow_id: str) -> None:
        """Delete a workflow and its revisions (its runs stay, as jobs)."""
        service.delete_workflow(services().db, workflow_id)


@blp.route("/<workflow_id>/revisions")
class WorkflowRevisions(MethodView):
    @requires(WORKFLOWS_READ)
    @blp.response(200, WorkflowRevisionSchema(many=True))
    def get(self, workflow_id: str) -> Any:
        """Every revision of the workflow, newest first."""
        return service.revisions(services().db, workflow_id)


@blp.route("/<workflow_id>/run")
class RunWorkflow(MethodView):
    @requires(WORKFLOWS_RUN, group=RouteGroup.ENQUEUE)
    @blp.arguments(WorkflowRunSchema)
    @blp.response(202, EnqueuedSchema)
    def post(self, body: dict[str, Any], workflow_id: str) -> dict[str, Any]:
        """Queue a run of the workflow's current revision; 202 with the job id. Named pipelines, declared
        inputs and fan-out lists are checked first (a 422 names the task)."""
        return _enqueue(runs.run_request(services().db, workflow_id, body["context"]))


@blp.route("/<workflow_id>/runs")
class WorkflowRuns(MethodView):
    @requires(WORKFLOWS_READ)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, WorkflowRunPageSchema)
    def get(self, query: dict[str, Any], workflow_id: str) -> dict[str, Any]:
        """The workflow's runs, newest first."""
        limit, offset = page_bounds(query)
        items, total = runs.list_runs(services().db, workflow_id, limit=limit, offset=offset)
        return page_body(items, total, query, limit)


blueprints = (blp,)
