"""``/health``: each component's state and latency; 503 when a required one (database, broker) is down.

Workers and the scheduler are reported, not required: the API accepts jobs without them (they wait, queued).
The vector store (the Qdrant server, or the local store's owner process) is reported, not required.
"""

from __future__ import annotations

from typing import Any

import redis
from flask.views import MethodView
from flask_smorest import Blueprint

import shared
from backend.access import public
from backend.probes import Probed, broker_check, database_check, probe
from backend.services import services
from shared.queue.workers import live_workers
from shared.scheduling.leader import LEADER_KEY
from shared.vectors.config import VectorConfig
from shared.vectors.service import vector_store_health

blp = Blueprint("health", __name__, url_prefix="/health", description="Service health")
REQUIRED = ("database", "broker")


def _component(probed: Probed[Any]) -> dict[str, Any]:
    if not probed.is_up:
        return {"status": "down", "error": probed.error, "latency_ms": round(probed.latency_ms, 2)}
    result = {"status": "up", "latency_ms": round(probed.latency_ms, 2)}
    if isinstance(probed.value, dict):
        result.update(probed.value)
    return result


@blp.route("")
class Health(MethodView):
    @public(while_setting="public_health")
    @blp.response(200)
    def get(self) -> Any:
        """Health of the database and broker (required), the workers and the scheduler (reported), and
        the vector store."""
        svc = services()

        def workers() -> dict[str, Any]:
            try:
                names = live_workers(svc.redis)
            except redis.RedisError as exc:
                raise RuntimeError("broker unreachable") from exc
            return {"online": len(names), "names": names}

        def scheduler() -> dict[str, Any]:
            try:
                leader = svc.redis.get(LEADER_KEY)
            except redis.RedisError as exc:
                raise RuntimeError("broker unreachable") from exc
            return {"leader": leader.decode() if isinstance(leader, bytes) else leader}

        components = {
            "database": _component(probe("database", database_check(svc.db))),
            "broker": _component(probe("broker", broker_check(svc.redis))),
            "workers": _component(probe("workers", workers)),
            "scheduler": _component(probe("scheduler", scheduler)),
            "vector_store": _component(
                probe("vector_store", lambda: vector_store_health(VectorConfig.from_settings(svc.settings)))
            ),
        }
        if components["workers"]["status"] == "up" and components["workers"]["online"] == 0:
            components["workers"]["status"] = "degraded"
        if components["scheduler"]["status"] == "up" and components["scheduler"]["leader"] is None:
            components["scheduler"]["status"] = "degraded"  # no beat leads: schedules do not fire
        is_up = all(components[c]["status"] == "up" for c in REQUIRED)
        body = {
            "status": "ok" if is_up else "unavailable",
            "version": shared.__version__,
            "uptime_seconds": round(svc.uptime_seconds, 1),
            "required": list(REQUIRED),
            "components": components,
        }
        return body, (200 if is_up else 503)
