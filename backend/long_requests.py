"""A lane for requests that hold their connection for long (``wait``; later the event stream and MCP).

The API serves every connection on one event loop (gevent). A burst of such requests, say 1,300 waits
opened at once, would otherwise put 1,300 request set-ups (key check, rate limit, schema, first read) in
the loop's run queue, and a ``/health`` or an enqueue arriving then would take its turn behind them again
at each of its own I/O points: seconds. Admitting long requests ``LANE_WIDTH`` at a time until they start
waiting keeps the queue short for everyone else; the parked ones cost a greenlet each, as they would
while waiting anyway.
"""

from __future__ import annotations

import threading

from flask import Flask, g, request

LANE_WIDTH = 64
LONG_LIVED_ENDPOINTS = frozenset({"queue.WaitForJob"})


def init_app(app: Flask) -> None:
    """Admit long requests through the lane (register before every other ``before_request``)."""
    lane = threading.BoundedSemaphore(LANE_WIDTH)  # a gevent semaphore once the worker has patched
    app.extensions["mimir_long_request_lane"] = lane

    def enter() -> None:
        if request.endpoint in LONG_LIVED_ENDPOINTS:
            lane.acquire()
            g.long_request_lane = lane

    def leave(_error: BaseException | None) -> None:
        setup_done()

    app.before_request(enter)
    app.teardown_request(leave)


def setup_done() -> None:
    """The request is about to wait: let the next long request set up (safe to call more than once)."""
    lane = g.pop("long_request_lane", None)
    if lane is not None:
        lane.release()
