"""``/api/v1/queue/jobs/{id}/logs``: a job's own log lines, as JSON or as plain text for terminals."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from backend.access import requires
from backend.services import services
from shared.jobs.logs import MAX_LINES_PER_ATTEMPT, MAX_MESSAGE_CHARS, job_log_lines
from shared.jobs.permissions import JOBS_READ
from shared.jobs.records import JobLogRecord

blp = Blueprint("job_logs", __name__, url_prefix="/api/v1/queue", description="Job logs")
TEXT_PLAIN = "text/plain; charset=utf-8"


class JobLogLineSchema(Schema):
    """One log line: which attempt, its place in it, when, how severe, during which step, and what."""

    attempt = fields.Integer()
    seq = fields.Integer()
    at = fields.DateTime()
    level = fields.String()
    step = fields.String(allow_none=True)
    message = fields.String()


class JobLogsSchema(Schema):
    """A job's log lines, attempt by attempt, in order."""

    job_id = fields.String()
    lines = fields.List(fields.Nested(JobLogLineSchema))
    max_lines_per_attempt = fields.Integer()
    max_message_chars = fields.Integer()


@blp.route("/jobs/<job_id>/logs")
class JobLogs(MethodView):
    @requires(JOBS_READ)
    @blp.response(200, JobLogsSchema)
    @blp.doc(
        responses={"200": {"content": {"text/plain": {"schema": {"type": "string"}}}}},
        description="Send `Accept: text/plain` for one readable line per log line.",
    )
    def get(self, job_id: str) -> Any:
        """The job's log: steps started, finished and failed, and what plugins logged, per attempt."""
        lines = job_log_lines(services().db, job_id)
        if _wants_text():
            header = f"# job {job_id}: {len(lines)} log lines, times in UTC\n"
            body = header + "".join(_text_line(line) for line in lines)
            return Response(body, content_type=TEXT_PLAIN)
        return {
            "job_id": job_id,
            "lines": lines,
            "max_lines_per_attempt": MAX_LINES_PER_ATTEMPT,
            "max_message_chars": MAX_MESSAGE_CHARS,
        }


def _wants_text() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/plain"])
    return best == "text/plain"


def _text_line(line: JobLogRecord) -> str:
    at = line.at.strftime("%H:%M:%S.%f")[:-3]
    step = f" [{line.step}]" if line.step else ""
    return f"{at} {line.level:<7} #{line.attempt}{step} {line.message}\n"
