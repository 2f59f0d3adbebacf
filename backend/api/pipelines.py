"""``/api/v1/pipelines``: stored pipelines, their history, validation and synchronous execution."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.access import RouteGroup, requires
from backend.api import pipeline_drafts, plugins
from backend.api.paging import PageQuerySchema, page_body, page_bounds
from backend.api.run_targets import requested_target
from backend.api.schemas import (
    CloneSchema,
    ContextOnlySchema,
    ExecuteResultSchema,
    PipelinePageSchema,
    PipelineSchema,
    PipelineStatusSchema,
    PipelineWriteSchema,
    RevisionSchema,
    RunRequestSchema,
    ValidationResultSchema,
)
from backend.services import services
from shared.errors import PipelineValidationError
from shared.jobs import service as jobs
from shared.jobs.enqueue import run_job_now
from shared.jobs.records import JobRecord
from shared.jobs.targets import stored_target
from shared.pipelines import service as pipelines
from shared.pipelines.permissions import PIPELINES_EXECUTE, PIPELINES_READ, PIPELINES_WRITE
from shared.pipelines.validation import check_inputs_given, validate_definition

blp = Blueprint("pipelines", __name__, url_prefix="/api/v1/pipelines", description="Stored pipelines")


@blp.route("")
class Pipelines(MethodView):
    @requires(PIPELINES_READ)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, PipelinePageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List pipelines by name."""
        limit, offset = page_bounds(query)
        items, total = pipelines.list_pipelines(services().db, limit=limit, offset=offset)
        return page_body(items, total, query, limit)

    @requires(PIPELINES_WRITE)
    @blp.arguments(PipelineWriteSchema)
    @blp.response(201, PipelineSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a pipeline from YAML text or a pipeline object."""
        svc = services()
        definition, source = pipelines.definition_from_body(
            svc.runtime.registry, pipeline_yaml=body.get("pipeline_yaml"), pipeline=body.get("pipeline")
        )
        return pipelines.create_pipeline(svc.db, definition, source)


@blp.route("/execute")
class ExecutePipeline(MethodView):
    @requires(PIPELINES_EXECUTE, group=RouteGroup.ENQUEUE)
    @blp.arguments(RunRequestSchema)
    @blp.response(200, ExecuteResultSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Run a pipeline now, in the API process, and return its result (recorded as a job)."""
        request = requested_target(body).job_request(body["context"])
        return execute_result(run_job_now(services().runtime, request))


@blp.route("/<pipeline_id>")
class PipelineById(MethodView):
    @requires(PIPELINES_READ)
    @blp.response(200, PipelineSchema)
    def get(self, pipeline_id: str) -> Any:
        """Get a pipeline."""
        return pipelines.get_pipeline(services().db, pipeline_id)

    @requires(PIPELINES_WRITE)
    @blp.arguments(PipelineWriteSchema)
    @blp.response(200, PipelineSchema)
    def put(self, body: dict[str, Any], pipeline_id: str) -> Any:
        """Replace a pipeline's definition (its revision goes up by one)."""
        svc = services()
        pipelines.get_pipeline(svc.db, pipeline_id)
        definition, source = pipelines.definition_from_body(
            svc.runtime.registry, pipeline_yaml=body.get("pipeline_yaml"), pipeline=body.get("pipeline")
        )
        return pipelines.update_pipeline(svc.db, pipeline_id, definition, source)

    @requires(PIPELINES_WRITE)
    @blp.response(204)
    def delete(self, pipeline_id: str) -> None:
        """Delete a pipeline and its history."""
        pipelines.delete_pipeline(services().db, pipeline_id)


@blp.route("/<pipeline_id>/status")
class PipelineStatus(MethodView):
    @requires(PIPELINES_READ)
    @blp.response(200, PipelineStatusSchema)
    def get(self, pipeline_id: str) -> dict[str, Any]:
        """A pipeline's state and its latest run."""
        db = services().db
        record = pipelines.get_pipeline(db, pipeline_id)
        latest, runs = jobs.list_jobs(db, pipeline_id=record.id, limit=1)
        last = latest[0] if latest else None
        return {
            "pipeline_id": record.id,
            "name": record.name,
            "enabled": record.enabled,
            "revision": record.revision,
            "status": last.status if last else "never_run",
            "runs": runs,
            "last_job_id": last.id if last else None,
            "last_run": (last.started_at or last.created_at) if last else None,
            "last_finished": last.finished_at if last else None,
            "last_error": last.error if last else None,
        }


@blp.route("/<pipeline_id>/validate")
class ValidatePipeline(MethodView):
    @requires(PIPELINES_READ)
    @blp.response(200, ValidationResultSchema)
    def post(self, pipeline_id: str) -> dict[str, Any]:
        """Check a stored pipeline against the plugins installed now."""
        svc = services()
        record = pipelines.get_pipeline(svc.db, pipeline_id)
        try:
            validate_definition(record.definition, svc.runtime.registry)
        except PipelineValidationError as exc:
            return {"valid": False, "errors": exc.errors}
        return {"valid": True, "errors": []}


@blp.route("/<pipeline_id>/clone")
class ClonePipeline(MethodView):
    @requires(PIPELINES_WRITE)
    @blp.arguments(CloneSchema)
    @blp.response(201, PipelineSchema)
    def post(self, body: dict[str, Any], pipeline_id: str) -> Any:
        """Copy a pipeline under a new name."""
        return pipelines.clone_pipeline(services().db, pipeline_id, body.get("name"))


@blp.route("/<pipeline_id>/history")
class PipelineHistory(MethodView):
    @requires(PIPELINES_READ)
    @blp.response(200, RevisionSchema(many=True))
    def get(self, pipeline_id: str) -> Any:
        """Every revision of a pipeline, newest first."""
        return pipelines.pipeline_history(services().db, pipeline_id)


@blp.route("/<pipeline_id>/execute")
class ExecuteStoredPipeline(MethodView):
    @requires(PIPELINES_EXECUTE, group=RouteGroup.ENQUEUE)
    @blp.arguments(ContextOnlySchema)
    @blp.response(200, ExecuteResultSchema)
    def post(self, body: dict[str, Any], pipeline_id: str) -> dict[str, Any]:
        """Run a stored pipeline now and return its result."""
        svc = services()
        target = stored_target(pipelines.get_pipeline(svc.db, pipeline_id))
        check_inputs_given(target.definition, body["context"])
        return execute_result(run_job_now(svc.runtime, target.job_request(body["context"])))


def execute_result(job: JobRecord) -> dict[str, Any]:
    """A finished job in the synchronous execute's response shape."""
    return {
        "success": job.status == "succeeded",
        "job_id": job.id,
        "status": job.status,
        "context": job.output_context or {},
        "error": job.error,
        "steps": job.steps,
        "executed_at": job.finished_at,
    }


# The pipelines slice serves its step plugins too, and the check of unsaved YAML (before ``blp``, whose
# /<pipeline_id> would otherwise be tried for /validate).
blueprints = (pipeline_drafts.blp, blp, plugins.blp)
