"""``/api/v1/visualize``: readable plain-text views for terminals (``curl`` them)."""

from __future__ import annotations

from typing import Any

import redis
from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

import shared
from backend.access import requires
from backend.presentation.text_views import (
    ComponentState,
    render_pipeline,
    render_plugins,
    render_schedules,
    render_system,
)
from backend.probes import Probed, broker_check, database_check, probe
from backend.services import services
from shared.db.base import utcnow
from shared.errors import NotFound
from shared.pipelines import service as pipelines
from shared.pipelines.model import PipelineDefinition
from shared.pipelines.permissions import PIPELINES_READ, PLUGINS_READ
from shared.pipelines.records import PipelineRecord
from shared.queue.status import queue_status
from shared.scheduling.leader import LEADER_KEY
from shared.scheduling.permissions import SCHEDULER_READ
from shared.scheduling.service import list_schedules
from shared.security.permissions import MONITORING_READ

blp = Blueprint(
    "visualize", __name__, url_prefix="/api/v1/visualize", description="Plain-text views for terminals"
)
TEXT_PLAIN = "text/plain; charset=utf-8"
MAX_SCHEDULES_SHOWN = 200
_TEXT_DOC = {"responses": {"200": {"content": {"text/plain": {"schema": {"type": "string"}}}}}}


def _text(body: str) -> Response:
    return Response(body, content_type=TEXT_PLAIN)


def _state(probed: Probed[str]) -> ComponentState:
    if probed.is_up:
        return ComponentState(probed.name, True, probed.latency_ms, probed.value or "")
    return ComponentState(probed.name, False, None, probed.error or "")


@blp.route("/system")
class SystemView(MethodView):
    @requires(MONITORING_READ)
    @blp.doc(**_TEXT_DOC)
    def get(self) -> Response:
        """Components up or down, workers online, jobs by status and broker queue lengths."""
        svc = services()

        components = [
            _state(probe("database", database_check(svc.db))),
            _state(probe("broker", broker_check(svc.redis))),
        ]
        status = queue_status(svc.db, svc.redis) if components[0].is_up else {}
        workers = status.get("workers") if components[1].is_up else None
        counts = {k: v for k, v in status.items() if isinstance(v, int)}  # jobs by status
        queues: dict[str, int | None] = status.get("queues", {})
        body = render_system(f"Mimir AIP {shared.__version__}", utcnow(), components, workers, counts, queues)
        return _text(body)


@blp.route("/pipeline/<pipeline_ref>")
class PipelineView(MethodView):
    @requires(PIPELINES_READ)
    @blp.doc(**_TEXT_DOC)
    def get(self, pipeline_ref: str) -> Response:
        """A stored pipeline's steps as a numbered flow with their plugins (by id, or by name)."""
        svc = services()
        record = _pipeline(pipeline_ref)
        definition = PipelineDefinition.from_dict(record.definition)
        return _text(render_pipeline(record.id, record.revision, definition, svc.runtime.registry))


@blp.route("/scheduler")
class SchedulerView(MethodView):
    @requires(SCHEDULER_READ)
    @blp.doc(**_TEXT_DOC)
    def get(self) -> Response:
        """Every schedule with its next run and the status of its last run, and the beat leader."""
        svc = services()
        schedules, total = list_schedules(svc.db, limit=MAX_SCHEDULES_SHOWN, offset=0)
        return _text(render_schedules(schedules, total, _leader(svc.redis), utcnow()))


@blp.route("/plugins")
class PluginsView(MethodView):
    @requires(PLUGINS_READ)
    @blp.doc(**_TEXT_DOC)
    def get(self) -> Response:
        """The installed plugins grouped by type."""
        registry = services().plugins
        return _text(render_plugins(registry.all(), registry.types))


def _pipeline(reference: str) -> PipelineRecord:
    db = services().db
    try:
        return pipelines.get_pipeline(db, reference)
    except NotFound:
        try:
            return pipelines.get_pipeline_by_name(db, reference)
        except NotFound:
            raise NotFound(f"pipeline {reference} not found (no pipeline has this id or name)") from None


def _leader(client: redis.Redis) -> str | None:
    try:
        holder: Any = client.get(LEADER_KEY)
    except redis.RedisError:
        return "unknown (broker unreachable)"
    if holder is None:
        return None
    return holder.decode() if isinstance(holder, bytes) else str(holder)
