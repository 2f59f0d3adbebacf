"""Setting up a process's logging once, at start: JSON lines (or readable text in a terminal) with ids.

Every line carries the request id, job id and step of the work that logged it (see
:mod:`shared.observability.context`). ``logging.format: auto`` writes text when stderr is a terminal and
JSON lines otherwise (files, containers, log shippers). With ``logging.file`` set, every process also appends
JSON lines to that file, rotated at ``logging.max_bytes`` keeping ``logging.max_backups`` old files; the
processes of one installation share the file, so rotation takes a lock (concurrent-log-handler) rather than
racing. The CLI entry points call :func:`configure_logging`; nothing is configured at import.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

from shared.config import Settings
from shared.observability.context import ContextFilter

JSON_FIELDS = ("levelname", "name", "message", "process", "request_id", "job_id", "step")
_ID_FIELDS = ("request_id", "job_id", "step")
_MARK = "_mimir_handler"


class TextFormatter(logging.Formatter):
    """``time LEVEL logger: message [request=… job=… step=…]``, the ids only when set."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        ids = [
            f"{f.removesuffix('_id')}={getattr(record, f)}" for f in _ID_FIELDS if getattr(record, f, None)
        ]
        if not ids:
            return text
        first, newline, rest = text.partition("\n")
        return f"{first} [{' '.join(ids)}]{newline}{rest}"


def json_formatter() -> logging.Formatter:
    """One JSON object per line: timestamp, level, logger, message, process and the ids."""
    return JsonFormatter(
        list(JSON_FIELDS),
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
    )


def resolved_format(log_format: str, stream: Any) -> str:
    """``json`` or ``text``: ``auto`` is text when ``stream`` is a terminal."""
    if log_format != "auto":
        return log_format
    is_tty = getattr(stream, "isatty", None)
    return "text" if is_tty is not None and is_tty() else "json"


def rotating_file_handler(settings: Settings) -> logging.Handler:
    """JSON lines appended to ``logging.file``, rotated by size; safe with several processes writing."""
    from concurrent_log_handler import ConcurrentRotatingFileHandler

    path = settings.log_file
    assert path is not None
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = ConcurrentRotatingFileHandler(
        str(path), maxBytes=settings.log_max_bytes, backupCount=settings.log_max_backups
    )
    handler.addFilter(ContextFilter())
    handler.setFormatter(json_formatter())
    setattr(handler, _MARK, True)
    return handler


def configure_logging(settings: Settings, *, level: str | None = None, stream: TextIO | None = None) -> None:
    """Send this process's logs to ``stream`` (stderr), and to ``logging.file`` when set, at ``level``
    (default ``logging.level``).

    Replaces the handler an earlier call installed, so calling twice (Celery may ask again) is harmless.
    """
    out = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextFilter())
    is_json = resolved_format(settings.log_format, out) == "json"
    handler.setFormatter(json_formatter() if is_json else TextFormatter())
    setattr(handler, _MARK, True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
        old.close()  # a file handler's file; a stream handler leaves its stream open
    root.addHandler(handler)
    if settings.log_file is not None:
        root.addHandler(rotating_file_handler(settings))
    root.setLevel((level or settings.log_level).upper())
    logging.captureWarnings(True)
