"""A test plugin that appends one line per execution to a file, so tests can count how often a step ran."""

from __future__ import annotations

import os
from typing import Any, ClassVar

from shared.plugins.base import Plugin, RunContext, StepSpec


class Record(Plugin):
    type = "Utility"
    name = "record"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {"token": {"type": "string"}, "path": {"type": "string"}, "sleep": {"type": "number"}},
        "required": ["token", "path"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        line = f"{step.config['token']} {os.getpid()}\n".encode()
        fd = os.open(step.config["path"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        if step.config.get("sleep"):
            import time

            time.sleep(float(step.config["sleep"]))
        return step.config["token"]
