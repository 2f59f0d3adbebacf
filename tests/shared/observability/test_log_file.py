"""``logging.file``: every line also goes to a rotating JSON-lines file."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.config import load_settings
from shared.observability.logging import configure_logging


@pytest.fixture()
def restore_root_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logging")
def test_log_lines_are_appended_to_the_file_as_json(tmp_path: Path) -> None:
    log_file = tmp_path / "logs" / "mimir.log"
    settings = load_settings(environ={}, log_file=log_file)
    configure_logging(settings, stream=io.StringIO())
    logging.getLogger("mimir.test").warning("hello %s", "file")
    [line] = log_file.read_text().splitlines()
    assert json.loads(line)["message"] == "hello file"


@pytest.mark.usefixtures("restore_root_logging")
def test_the_file_is_rotated_at_max_bytes_keeping_max_backups(tmp_path: Path) -> None:
    log_file = tmp_path / "mimir.log"
    settings = load_settings(environ={"MIMIR_LOGGING_MAX_BYTES": "2KB"}, log_file=log_file, log_max_backups=2)
    configure_logging(settings, stream=io.StringIO())
    for number in range(200):
        logging.getLogger("mimir.test").warning("line %d %s", number, "x" * 40)
    rotated = sorted(p.name for p in tmp_path.glob("mimir.log.*"))
    assert rotated == ["mimir.log.1", "mimir.log.2"]
    assert all(p.stat().st_size <= 2048 + 512 for p in tmp_path.glob("mimir.log*"))
