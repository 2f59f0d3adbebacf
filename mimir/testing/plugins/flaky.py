"""A test plugin that fails its first ``fail_times`` executions (counted in a file, across processes),
then succeeds: for tests of retries and resumes."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec


class Flaky(Plugin):
    type = "Utility"
    name = "flaky"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "path": {"type": "string"},
            "token": {"type": "string"},
            "fail_times": {"type": "integer", "minimum": 0},
        },
        "required": ["path", "fail_times"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        path = Path(step.config["path"])
        token = step.config.get("token", "flaky")
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, f"{token} {os.getpid()}\n".encode())
        finally:
            os.close(fd)
        runs = sum(1 for line in path.read_text().splitlines() if line.split()[0] == token)
        if runs <= int(step.config["fail_times"]):
            raise PluginError(f"{token}: failing run {runs} of {step.config['fail_times']} on purpose")
        return {"token": token, "run": runs}
