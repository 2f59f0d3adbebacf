"""The log context: the request id, job id and step of the work this thread is doing right now.

Values live in context variables, so each request thread, each job run and each asyncio task sees its own.
:class:`ContextFilter` copies them onto every log record, so every line says which request and job it
belongs to, including lines logged by plugins through the standard ``logging`` module.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

request_id_var: ContextVar[str | None] = ContextVar("mimir_request_id", default=None)
job_id_var: ContextVar[str | None] = ContextVar("mimir_job_id", default=None)
step_var: ContextVar[str | None] = ContextVar("mimir_step", default=None)

REQUEST_ID_MAX_LENGTH = 64
_SAFE_REQUEST_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{REQUEST_ID_MAX_LENGTH}}}")


def new_request_id(prefix: str = "") -> str:
    """A random request id (32 hex digits), after ``prefix`` if one is given."""
    return f"{prefix}{uuid.uuid4().hex}"


def accepted_request_id(candidate: str | None) -> str:
    """``candidate`` if it is a short id of safe characters (letters, digits, ``._:-``), else a new one."""
    if candidate and _SAFE_REQUEST_ID.fullmatch(candidate):
        return candidate
    return new_request_id()


def current_request_id() -> str | None:
    """The request id of the work in progress in this context, if any."""
    return request_id_var.get()


@contextmanager
def log_context(*, request_id: str | None = None, job_id: str | None = None) -> Iterator[None]:
    """Tag every log line inside the block with the given ids (ids not given keep their current value)."""
    tokens = []
    if request_id is not None:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    if job_id is not None:
        tokens.append((job_id_var, job_id_var.set(job_id)))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``job_id`` and ``step`` to each record (None outside a request or job)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "job_id"):
            record.job_id = job_id_var.get()
        if not hasattr(record, "step"):
            record.step = step_var.get()
        return True
