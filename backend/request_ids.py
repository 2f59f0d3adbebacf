"""Request ids: every request gets one, in each of its log lines, in its response and on the jobs it starts.

A client may send its own ``X-Request-ID`` (at most 64 letters, digits or ``._:-``); anything else is
replaced by a random id. The id is returned in the ``X-Request-ID`` response header, on errors too.
"""

from __future__ import annotations

from flask import Flask, Response, g, request

from shared.observability.context import accepted_request_id, request_id_var

REQUEST_ID_HEADER = "X-Request-ID"


def init_app(app: Flask) -> None:
    """Give each request of ``app`` an id (register before anything that may refuse the request)."""
    app.before_request(_begin)
    app.after_request(_stamp)
    app.teardown_request(_end)


def _begin() -> None:
    request_id = accepted_request_id(request.headers.get(REQUEST_ID_HEADER))
    g.request_id = request_id
    g.request_id_token = request_id_var.set(request_id)


def _stamp(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def _end(_error: BaseException | None) -> None:
    token = g.pop("request_id_token", None)
    if token is None:
        return
    try:
        request_id_var.reset(token)
    except ValueError:  # torn down in another context than it began in: just clear it
        request_id_var.set(None)
