"""A test plugin that logs through the standard ``logging`` module (and may then fail), so tests can see
plugin log lines land in the job's log and in the worker's log."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec

log = logging.getLogger("mimir.tests.talker")


class Say(Plugin):
    type = "Utility"
    name = "say"
    description = "Log a message (a number of times), then fail if asked to."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "message": {"type": "string"},
            "level": {"enum": ["info", "warning", "error"]},
            "repeat": {"type": "integer", "minimum": 1},
            "fail": {"type": "boolean"},
        },
        "required": ["message"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        level = logging.getLevelName(step.config.get("level", "info").upper())
        for _ in range(step.config.get("repeat", 1)):
            log.log(level, "%s", step.config["message"])
        if step.config.get("fail"):
            raise PluginError(f"asked to fail after saying {step.config['message']!r}")
        return step.config["message"]
