"""``/api/v1/twins``: digital twins, their state and structure, scenarios, and the runs of simulations."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.access import RouteGroup, requires
from backend.api.paging import PageQuerySchema, page_bounds
from backend.api.queue import enqueued
from backend.api.schemas import EnqueuedSchema
from backend.api.twin_schemas import (
    CompareSchema,
    RunPageSchema,
    RunScenarioSchema,
    RunSchema,
    ScenarioSchema,
    ScenarioWriteSchema,
    StatePageSchema,
    StateQuerySchema,
    TimelineQuerySchema,
    TimelineSchema,
    TwinDetailSchema,
    TwinEnqueueSchema,
    TwinImportSchema,
    TwinPageSchema,
    TwinSchema,
    TwinWriteSchema,
    WhatIfSchema,
)
from backend.services import services
from shared.jobs.enqueue import enqueue_job
from shared.jobs.service import JobRequest
from shared.twins import runs, service
from shared.twins.analysis import analyse
from shared.twins.imports import import_twin
from shared.twins.job_kind import twin_job_request
from shared.twins.permissions import TWINS_READ, TWINS_WRITE
from shared.twins.validation import parse_twin

blp = Blueprint("twins", __name__, url_prefix="/api/v1/twins", description="Digital twins and simulations")
queue_blp = Blueprint(
    "twin_jobs", __name__, url_prefix="/api/v1/queue/digital-twins", description="Queued twin simulations"
)


def _enqueue(request: JobRequest) -> dict[str, Any]:
    svc = services()
    return enqueued(enqueue_job(svc.runtime, svc.celery, request))


@queue_blp.route("/enqueue")
class EnqueueSimulation(MethodView):
    @requires(TWINS_WRITE, group=RouteGroup.ENQUEUE)
    @queue_blp.arguments(TwinEnqueueSchema)
    @queue_blp.response(202, EnqueuedSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Queue a simulation of a twin (a stored scenario_id, or an inline scenario); 202 with the job id."""
        request = twin_job_request(
            services().db,
            body["twin_id"],
            scenario_id=body.get("scenario_id"),
            scenario=body.get("scenario"),
            context=body["context"],
        )
        return _enqueue(request)


@blp.route("")
class Twins(MethodView):
    @requires(TWINS_READ)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, TwinPageSchema)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """List twins by name."""
        limit, offset = page_bounds(query)
        items, total = service.list_twins(services().db, limit=limit, offset=offset)
        return {"items": items, "total": total, "page": query["page"], "page_size": limit}

    @requires(TWINS_WRITE)
    @blp.arguments(TwinWriteSchema)
    @blp.response(201, TwinSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a twin from JSON entities and relationships (refusals name the offending item)."""
        return service.create_twin(services().db, parse_twin(body))


@blp.route("/import")
class ImportTwin(MethodView):
    @requires(TWINS_WRITE)
    @blp.arguments(TwinImportSchema)
    @blp.response(201, TwinSchema)
    def post(self, body: dict[str, Any]) -> Any:
        """Create a twin from an ontology (Turtle, RDF/XML) or from tables with a column mapping."""
        return import_twin(services().db, body)


@blp.route("/<twin_id>")
class TwinById(MethodView):
    @requires(TWINS_READ)
    @blp.response(200, TwinDetailSchema)
    def get(self, twin_id: str) -> dict[str, Any]:
        """Get a twin with its current entities and relationships."""
        loaded = service.load_twin(services().db, twin_id)
        fields = {name: getattr(loaded.record, name) for name in TwinSchema().fields}
        return {**fields, **loaded.twin.definition()}

    @requires(TWINS_WRITE)
    @blp.arguments(TwinWriteSchema)
    @blp.response(200, TwinSchema)
    def put(self, body: dict[str, Any], twin_id: str) -> Any:
        """Replace a twin's definition (its revision goes up by one; runs keep the one they simulated)."""
        twin = parse_twin(body)
        return service.update_twin(services().db, twin_id, twin)

    @requires(TWINS_WRITE)
    @blp.response(204)
    def delete(self, twin_id: str) -> None:
        """Delete a twin with its scenarios and runs."""
        service.delete_twin(services().db, twin_id)


@blp.route("/<twin_id>/state")
class TwinState(MethodView):
    @requires(TWINS_READ)
    @blp.arguments(StateQuerySchema, location="query")
    @blp.response(200, StatePageSchema)
    def get(self, query: dict[str, Any], twin_id: str) -> dict[str, Any]:
        """A page of the twin's entities with their current state."""
        limit, offset = page_bounds(query)
        loaded = service.load_twin(services().db, twin_id)
        chosen = [e for e in loaded.twin.entities if query.get("type") in (None, e.type)]
        page = chosen[offset : offset + limit]
        return {
            "twin_id": twin_id,
            "revision": loaded.revision,
            "entities": [
                {"uri": e.uri, "type": e.type, "label": e.label, "state": e.state.to_dict()} for e in page
            ],
            "total": len(chosen),
            "page": query["page"],
            "page_size": limit,
        }


@blp.route("/<twin_id>/analysis")
class TwinAnalysis(MethodView):
    @requires(TWINS_READ)
    @blp.response(200)
    def get(self, twin_id: str) -> dict[str, Any]:
        """Critical entities and single points of failure, without a scenario."""
        loaded = service.load_twin(services().db, twin_id)
        return {"twin_id": twin_id, "revision": loaded.revision, **analyse(loaded.twin)}


@blp.route("/<twin_id>/scenarios")
class Scenarios(MethodView):
    @requires(TWINS_READ)
    @blp.response(200, ScenarioSchema(many=True))
    def get(self, twin_id: str) -> Any:
        """The twin's scenarios, oldest first."""
        return service.list_scenarios(services().db, twin_id)

    @requires(TWINS_WRITE)
    @blp.arguments(ScenarioWriteSchema)
    @blp.response(201, ScenarioSchema)
    def post(self, body: dict[str, Any], twin_id: str) -> Any:
        """Store a scenario, checked against the twin's current revision."""
        return service.create_scenario(services().db, twin_id, body)


@blp.route("/<twin_id>/scenarios/<scenario_id>/run")
class RunScenario(MethodView):
    @requires(TWINS_WRITE, group=RouteGroup.ENQUEUE)
    @blp.arguments(RunScenarioSchema)
    @blp.response(202, EnqueuedSchema)
    def post(self, body: dict[str, Any], twin_id: str, scenario_id: str) -> dict[str, Any]:
        """Queue a run of a stored scenario; 202 with the job id (its output names the run)."""
        request = twin_job_request(services().db, twin_id, scenario_id=scenario_id, context=body["context"])
        return _enqueue(request)


@blp.route("/<twin_id>/whatif")
class WhatIf(MethodView):
    @requires(TWINS_WRITE, group=RouteGroup.ENQUEUE)
    @blp.arguments(WhatIfSchema)
    @blp.response(202, EnqueuedSchema)
    def post(self, body: dict[str, Any], twin_id: str) -> dict[str, Any]:
        """Queue a what-if: the scenario on the twin and on a copy with the changes; the job's output holds
        the difference of their figures."""
        request = twin_job_request(
            services().db,
            twin_id,
            scenario_id=body.get("scenario_id"),
            scenario=body.get("scenario"),
            changes=body["changes"],
            context=body["context"],
        )
        return _enqueue(request)


@blp.route("/<twin_id>/runs")
class Runs(MethodView):
    @requires(TWINS_READ)
    @blp.arguments(PageQuerySchema, location="query")
    @blp.response(200, RunPageSchema)
    def get(self, query: dict[str, Any], twin_id: str) -> dict[str, Any]:
        """The twin's runs, newest first."""
        limit, offset = page_bounds(query)
        items, total = runs.list_runs(services().db, twin_id, limit=limit, offset=offset)
        return {"items": items, "total": total, "page": query["page"], "page_size": limit}


@blp.route("/<twin_id>/runs/<run_id>")
class RunById(MethodView):
    @requires(TWINS_READ)
    @blp.response(200, RunSchema)
    def get(self, twin_id: str, run_id: str) -> Any:
        """A run: its scenario, metrics (bottlenecks, stability, recommendations) and event log."""
        return runs.get_run(services().db, twin_id, run_id)


@blp.route("/<twin_id>/runs/<run_id>/timeline")
class RunTimeline(MethodView):
    @requires(TWINS_READ)
    @blp.arguments(TimelineQuerySchema, location="query")
    @blp.response(200, TimelineSchema)
    def get(self, query: dict[str, Any], twin_id: str, run_id: str) -> dict[str, Any]:
        """Per-step utilization and status of some entities between two steps (inclusive)."""
        wanted = [uri for uri in query.get("entities", "").split(",") if uri]
        return runs.timeline_view(
            services().db,
            twin_id,
            run_id,
            entities=wanted or None,
            first=query.get("from_step"),
            last=query.get("to_step"),
        )


@blp.route("/<twin_id>/runs/<run_a>/compare/<run_b>")
class CompareRuns(MethodView):
    @requires(TWINS_READ)
    @blp.response(200, CompareSchema)
    def get(self, twin_id: str, run_a: str, run_b: str) -> dict[str, Any]:
        """Run b's figures minus run a's (entities matched by uri)."""
        return runs.compare_runs(services().db, twin_id, run_a, run_b)


blueprints = (blp, queue_blp)
