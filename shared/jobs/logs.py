"""A job's own log: the lines of each attempt (steps started, finished, failed; what plugins logged).

While an attempt runs, :func:`job_logging` tags every log line of the thread with the job's request id,
job id and current step, and collects the job's lines in a :class:`JobLog`. The runner hands the collected
lines to the progress and finish writes, so they are stored in batches in the same transactions (never one
transaction per line) and survive the worker. An attempt keeps at most :data:`MAX_LINES_PER_ATTEMPT` lines
of at most :data:`MAX_MESSAGE_CHARS` characters; later lines are counted and reported in one last line.
Step failures and the attempt's outcome are always kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import NotFound
from shared.jobs.records import JobLogRecord, JobRecord
from shared.observability.context import job_id_var, log_context, step_var
from shared.pipelines.engine import RunResult, StepRecord

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

    def observe(self, record: StepRecord) -> None:
        """Note a step starting or succeeding (the engine's observer calls)."""
        where = f"step {record.index} ({record.name})"
        if record.status == "running":
            step_var.set(record.name)
            self._say("INFO", f"{where} started: {record.plugin}", record.name)
        elif record.status == "succeeded":
            self._say("INFO", f"{where} succeeded in {_ms(record.duration_ms)}", record.name)

    def finish(self, result: RunResult) -> None:
        """Note how the attempt ended: the failed or cancelled step, then the outcome."""
        for record in result.steps:
            where = f"step {record.index} ({record.name})"
            if record.status == "failed":
                took = _ms(_elapsed_ms(record))
                self._say("ERROR", f"{where} failed after {took}: {record.error}", record.name, is_kept=True)
            elif record.status == "cancelled":
                self._say("WARNING", f"{where} cancelled", record.name, is_kept=True)
        done = sum(1 for r in result.steps if r.status == "succeeded")
        outcome = "succeeded" if result.success else ("cancelled" if result.cancelled else "failed")
        took = _ms((time.monotonic() - self._started) * 1000)
        level = "INFO" if result.success else "ERROR"
        self._say(level, f"run {outcome}: {done} of {len(result.steps)} steps in {took}", None, is_kept=True)
        if self._dropped:
            self.add(
                "WARNING",
                f"{self._dropped} more log lines were dropped (limit {MAX_LINES_PER_ATTEMPT})",
                is_kept=True,
            )

    def _say(self, level: str, message: str, step: str | None, *, is_kept: bool = False) -> None:
        # Stored here, and logged for the process's own log (the capture handler skips this logger).
        self.add(level, message, step=step, is_kept=is_kept)
        log.log(logging.getLevelName(level), message)


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


def _elapsed_ms(record: StepRecord) -> float | None:
    if record.duration_ms is not None:
        return record.duration_ms
    if not (record.started_at and record.finished_at):
        return None
    delta = datetime.fromisoformat(record.finished_at) - datetime.fromisoformat(record.started_at)
    return delta.total_seconds() * 1000
