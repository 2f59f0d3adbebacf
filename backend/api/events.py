"""``/api/v1/events``: a server-sent event stream of job status changes."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.access import requires
from backend.errors import error_response
from backend.event_streams import TooManyStreams, event_streams
from shared.jobs.permissions import JOBS_READ

blp = Blueprint("events", __name__, url_prefix="/api/v1/events", description="Live job events")

_STREAM_DOC = {
    200: {
        "description": (
            "text/event-stream: `event: job` with data `{job_id, status}` when a job starts running, "
            "progresses or finishes; `event: resync` when events may have been missed (refetch); "
            "a `: keepalive` comment every few seconds"
        ),
        "content": {"text/event-stream": {"schema": {"type": "string"}}},
    },
    503: {"description": "This API process holds server.max_event_streams streams already; poll instead"},
}


@blp.route("")
class Events(MethodView):
    @requires(JOBS_READ)
    @blp.doc(responses=_STREAM_DOC)
    def get(self) -> Response | tuple[Response, int]:
        """Stream job status changes as server-sent events until the client disconnects."""
        try:
            body = event_streams().open()
        except TooManyStreams as exc:
            return error_response(503, str(exc))
        return Response(
            body,
            mimetype="text/event-stream",
            # No buffering by proxies (nginx honours X-Accel-Buffering), so each event leaves at once.
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )
