"""Two lanes that bound how many requests run at once on the API's event loop: one for short requests,
one for requests that hold their connection for long (``wait``; later the event stream and MCP) until
they start waiting.

Every connection is a greenlet (gevent), and every I/O a request does (Redis, the database) sends it to
the back of the loop's run queue. Unbounded, 500 concurrent enqueues made each round trip wait behind
the other 499 while holding one of ten database connections: enqueue throughput fell to a quarter of the
threaded server's. A burst of 1,300 waits did the same to ``/health``. With at most ``LANE_WIDTH``
requests of each kind running, the queue stays short, the rest wait their turn at the lane (a greenlet
each, as a thread pool's backlog would), and a burst of waits never delays short requests.
"""

from __future__ import annotations

import threading

from flask import Flask, g, request

LANE_WIDTH = 64
LONG_LIVED_ENDPOINTS = frozenset({"queue.WaitForJob"})


def init_app(app: Flask) -> None:
    """Admit each request through its lane (register before every other ``before_request``)."""
    # gevent semaphores once the worker has monkey-patched; thread semaphores elsewhere.
    short_lane = threading.BoundedSemaphore(LANE_WIDTH)
    long_lane = threading.BoundedSemaphore(LANE_WIDTH)

    def enter() -> None:
        lane = long_lane if request.endpoint in LONG_LIVED_ENDPOINTS else short_lane
        lane.acquire()
        g.request_lane = lane

    def leave(_error: BaseException | None) -> None:
        setup_done()

    app.before_request(enter)
    app.teardown_request(leave)


def setup_done() -> None:
    """The request is about to wait: let the next one in (safe to call more than once)."""
    lane = g.pop("request_lane", None)
    if lane is not None:
        lane.release()
