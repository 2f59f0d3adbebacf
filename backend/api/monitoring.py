"""``/metrics`` (Prometheus text) and ``/api/v1/monitoring``: the same figures summarised as JSON, and job
statistics from the database."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.access import public, requires
from backend.api.request_schema import RequestSchema
from backend.presentation.exposition import CONTENT_TYPE, live_families, recorded_families, render
from backend.presentation.summary import http_summary, process_memory
from backend.services import services
from shared.durations import parse_duration
from shared.errors import NotFound
from shared.jobs.statistics import job_statistics
from shared.jobs.timeline import finished_per_minute
from shared.security.permissions import MONITORING_READ

scrape_blp = Blueprint("metrics", __name__, url_prefix="/metrics", description="Prometheus metrics")
blp = Blueprint("monitoring", __name__, url_prefix="/api/v1/monitoring", description="Monitoring summaries")

MAX_SAMPLED_JOBS = 10_000


def _require_metrics_enabled() -> None:
    if not services().settings.metrics_enabled:
        raise NotFound("metrics are disabled (monitoring.metrics_enabled)")


@scrape_blp.route("")
class PrometheusMetrics(MethodView):
    @public(while_setting="public_metrics")
    @scrape_blp.doc(responses={200: {"description": "Prometheus text format", "content": {CONTENT_TYPE: {}}}})
    def get(self) -> Response:
        """Every process's metrics (Prometheus text format), plus queue depth, workers and beat leader."""
        _require_metrics_enabled()
        svc = services()
        live = live_families(svc.redis, svc.runtime.kinds.queues)
        families = recorded_families(svc.settings.resolved_metrics_dir) + live
        return Response(render(families), mimetype=None, content_type=CONTENT_TYPE)


class StatisticsQuerySchema(RequestSchema):
    window = fields.String(load_default="24h", metadata={"description": "how far back: 30m, 24h, 168h"})
    limit = fields.Integer(
        load_default=MAX_SAMPLED_JOBS, validate=validate.Range(min=1, max=MAX_SAMPLED_JOBS)
    )


@blp.route("/metrics")
class MetricsSummary(MethodView):
    @requires(MONITORING_READ)
    @blp.response(200)
    def get(self) -> dict[str, Any]:
        """Requests, latency percentiles, requests per second and error rate of the API, and its memory."""
        _require_metrics_enabled()
        svc = services()
        uptime = svc.uptime_seconds
        return {
            "uptime_seconds": round(uptime, 1),
            "http": http_summary(recorded_families(svc.settings.resolved_metrics_dir), uptime),
            "memory": process_memory(),
        }


@blp.route("/jobs/statistics")
class JobStatistics(MethodView):
    @requires(MONITORING_READ)
    @blp.arguments(StatisticsQuerySchema, location="query")
    @blp.response(200)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Jobs by status; per pipeline, outcomes, success rate and duration percentiles of recent jobs."""
        window = parse_duration(query["window"], name="window")
        return job_statistics(services().db, window_seconds=window, limit=query["limit"])


class TimelineQuerySchema(RequestSchema):
    minutes = fields.Integer(load_default=60, validate=validate.Range(min=1, max=24 * 60))


class MinuteSchema(Schema):
    minute = fields.String(metadata={"description": "the minute's start, ISO 8601 UTC"})
    succeeded = fields.Integer()
    failed = fields.Integer()
    cancelled = fields.Integer()


@blp.route("/jobs/timeline")
class JobTimeline(MethodView):
    @requires(MONITORING_READ)
    @blp.arguments(TimelineQuerySchema, location="query")
    @blp.response(200, MinuteSchema(many=True))
    def get(self, query: dict[str, Any]) -> list[dict[str, Any]]:
        """Jobs finished in each of the last ``minutes`` minutes (default 60), by outcome, oldest first."""
        return finished_per_minute(services().db, minutes=query["minutes"])
