"""HTTP metrics: every request counted by route (the URL rule, not the raw path) and status, with its
latency. Registered before the gatekeeper, so refused requests (401, 403, 429) are counted too."""

from __future__ import annotations

import time

from flask import Flask, Response, g, request

from shared.observability import metrics

UNMATCHED_ROUTE = "<unmatched>"


def init_app(app: Flask) -> None:
    """Time and count each request of ``app``."""
    app.before_request(_start_timer)
    app.after_request(_count_request)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _count_request(response: Response) -> Response:
    started = g.get("metrics_started")
    if started is not None:
        route = request.url_rule.rule if request.url_rule is not None else UNMATCHED_ROUTE
        metrics.http_request(request.method, route, response.status_code, time.perf_counter() - started)
    return response
