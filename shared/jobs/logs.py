"""A job's own log: the lines of each attempt (steps started, finished, failed; what plugins logged).

While an attempt runs, :func:`job_logging` tags every log line of the thread with the job's request id,
job id and current step, and collects the job's lines in a :class:`JobLog`. The runner hands the collected
lines to the progress and finish writes, so they are stored in batches in the same transactions (never one
transaction per line) and survive the worker. An attempt keeps at most :data:`MAX_LINES_PER_ATTEMPT` lines
of at most :data:`MAX_MESSAGE_CHARS` characters; later lines are counted and reported in one last line.
Step failures and the attempt's outcome are always kept. What a line says about a step is the kind's
business (the pipeline kind writes "step 0 (read) started"...); the outcome line is written here.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import select

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import NotFound
from shared.jobs.records import JobLogRecord, JobRecord
from shared.observability.context import job_id_var, log_context, step_var

log = logging.getLogger(__name__)

MAX_LINES_PER_ATTEMPT = 1000
MAX_MESSAGE_CHARS = 2000
# Lines past the cap that are still kept: failures, the outcome, and the note of what was dropped.
_RESERVED_LINES = 20


class JobLog:
    """The log lines of one attempt, numbered in order, handed out in batches by :meth:`take`."""

    def __init__(self, job_id: str, attempt: int) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self._lock = threading.Lock()
        self._pending: list[dict[str, Any]] = []
        self._count = 0
        self._dropped = 0
        self._started = time.monotonic()

    def add(self, level: str, message: str, *, step: str | None = None, is_kept: bool = False) -> None:
        """Collect one line (dropped, and counted, past the cap unless ``is_kept``)."""
        with self._lock:
            limit = MAX_LINES_PER_ATTEMPT + (_RESERVED_LINES if is_kept else 0)
            if self._count >= limit:
                self._dropped += 1
                return
            self._pending.append(
                {
                    "job_id": self.job_id,
                    "attempt": self.attempt,
                    "seq": self._count,
                    "at": utcnow(),
                    "level": level,
                    "step": step[:200] if step else None,
                    "message": _clip(message),
                }
            )
            self._count += 1

    def take(self) -> list[dict[str, Any]]:
        """The lines collected since the last call, as rows for the ``job_logs`` table."""
        with self._lock:
            lines, self._pending = self._pending, []
        return lines

    def say(self, level: str, message: str, *, step: str | None = None, is_kept: bool = False) -> None:
        """Collect a line written by the job machinery or a kind's runner, and log it for the process's
        own log too (the capture handler skips this module's logger, so it is stored once)."""
        self.add(level, message, step=step, is_kept=is_kept)
        log.log(logging.getLevelName(level), message)

    def finish(self, status: str, summary: str | None = None) -> None:
        """Note how the attempt ended (``run succeeded: <summary> in 12.0 ms``), then how many lines were
        dropped past the cap, if any."""
        took = _ms((time.monotonic() - self._started) * 1000)
        level = "INFO" if status in ("succeeded", "waiting") else "ERROR"
        detail = f": {summary}" if summary else ""
        self.say(level, f"run {status}{detail} in {took}", is_kept=True)
        if self._dropped:
            self.add(
                "WARNING",
                f"{self._dropped} more log lines were dropped (limit {MAX_LINES_PER_ATTEMPT})",
                is_kept=True,
            )


class _CaptureHandler(logging.Handler):
    """Collects the records logged in this job's context (by plugins or the runner) into its log."""

    def __init__(self, job_log: JobLog) -> None:
        super().__init__(logging.INFO)
        self.job_log = job_log

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == log.name or job_id_var.get() != self.job_log.job_id:
            return
        try:
            message = record.getMessage()
            if record.exc_info:
                message = f"{message}\n{logging.Formatter().formatException(record.exc_info)}"
            self.job_log.add(record.levelname, message, step=step_var.get())
        except Exception:
            self.handleError(record)


@contextmanager
def job_logging(job: JobRecord, attempt: int) -> Iterator[JobLog]:
    """Run the block in the job's log context (request id, job id, step) and collect its log lines."""
    job_log = JobLog(job.id, attempt)
    handler = _CaptureHandler(job_log)
    root = logging.getLogger()
    with log_context(request_id=job.request_id, job_id=job.id):
        step_token = step_var.set(None)
        root.addHandler(handler)
        try:
            yield job_log
        finally:
            root.removeHandler(handler)
            step_var.reset(step_token)


def job_log_lines(db: Database, job_id: str) -> list[JobLogRecord]:
    """Every stored log line of the job, attempt by attempt, in order; :class:`NotFound` for no such job."""
    with db.reads() as session:
        if session.get(JobRecord, job_id) is None:
            raise NotFound(f"job {job_id} not found")
        rows = session.execute(
            select(JobLogRecord)
            .where(JobLogRecord.job_id == job_id)
            .order_by(JobLogRecord.attempt, JobLogRecord.seq)
        ).scalars()
        return list(rows)


def _clip(message: str) -> str:
    if len(message) <= MAX_MESSAGE_CHARS:
        return message
    return message[: MAX_MESSAGE_CHARS - 12] + " [truncated]"


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f} ms"
