"""Utility steps: a no-op and a sleep, for tests, benchmarks and pacing."""

from __future__ import annotations

from typing import Any

from shared.plugins.base import Plugin, RunContext, StepSpec


class Noop(Plugin):
    """Returns its ``value`` config (or None): the cheapest possible step."""

    type = "Utility"
    name = "noop"
    description = "Does nothing; returns config.value. For benchmarks and tests."
    config_schema = {"type": "object", "properties": {"value": {}}, "additionalProperties": False}

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        return step.config.get("value")


class Sleep(Plugin):
    """Sleeps ``seconds`` (at most an hour, cut short by a cancel or a time limit) and returns how long it
    slept."""

    type = "Utility"
    name = "sleep"
    description = "Sleeps config.seconds (0..3600) and returns {'slept_seconds': n}."
    config_schema = {
        "type": "object",
        "properties": {"seconds": {"type": "number", "minimum": 0, "maximum": 3600}},
        "required": ["seconds"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        seconds = float(step.config["seconds"])
        # Waits on the run's stop signal, so a cancel or a time limit ends the sleep at once.
        context.stop.wait(seconds)
        context.stop.raise_if_stopped()
        return {"slept_seconds": seconds}


class Fibonacci(Plugin):
    """Computes fib(n) the slow recursive way: a fixed CPU-bound unit of work for benchmarks."""

    type = "Utility"
    name = "fib"
    description = "Computes fib(config.n) recursively (n <= 35); CPU work for benchmarks."
    config_schema = {
        "type": "object",
        "properties": {"n": {"type": "integer", "minimum": 0, "maximum": 35}},
        "required": ["n"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        return _fib(int(step.config["n"]))


def _fib(n: int) -> int:
    return n if n < 2 else _fib(n - 1) + _fib(n - 2)
