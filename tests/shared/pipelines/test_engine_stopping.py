"""The engine under a stop signal: a cancel or a time limit interrupts a waiting step and stops the run
before the next step; a step that cannot be interrupted finishes first."""

from __future__ import annotations

import threading
import time
from typing import Any, ClassVar

import pytest

from shared.errors import JobCancelled
from shared.pipelines.engine import RunResult, run_pipeline
from shared.pipelines.model import PipelineDefinition, StepDefinition
from shared.plugins.base import Plugin, RunContext, RunEnvironment, StepSpec
from shared.plugins.registry import PluginRegistry
from shared.stopping import StopSignal


class Busy(Plugin):
    """Sleeps without looking at the stop signal: a step that cannot be interrupted."""

    type = "Utility"
    name = "busy"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        time.sleep(float(step.config["seconds"]))
        return "done"


@pytest.fixture()
def registry() -> PluginRegistry:
    registry = PluginRegistry.default(include_entry_points=False)
    registry.add(Busy)
    return registry


def _run(
    registry: PluginRegistry, first: StepDefinition, stop: StopSignal, env: RunEnvironment | None = None
) -> tuple[RunResult, float]:
    definition = PipelineDefinition(name="p", steps=(first, StepDefinition("after", "Utility.noop")))
    started = time.monotonic()
    result = run_pipeline(definition, registry, env=env, stop=stop)
    return result, time.monotonic() - started


def _statuses(result: RunResult) -> list[str]:
    return [r.status.value for r in result.steps]


def test_a_cancel_wakes_a_sleeping_step_and_the_next_step_never_starts(registry: PluginRegistry) -> None:
    stop = StopSignal()
    threading.Timer(0.2, stop.stop, [JobCancelled("cancelled")]).start()
    result, took = _run(registry, StepDefinition("nap", "Utility.sleep", {"seconds": 60}), stop)
    assert took < 1
    assert (result.cancelled, result.error, _statuses(result)) == (
        True,
        "cancelled",
        ["cancelled", "skipped"],
    )


def test_a_step_over_the_step_time_limit_fails_naming_the_setting(registry: PluginRegistry) -> None:
    env = RunEnvironment(step_timeout_seconds=0.3)
    result, took = _run(registry, StepDefinition("nap", "Utility.sleep", {"seconds": 60}), StopSignal(), env)
    assert took < 1
    assert result.error == (
        "step 0 (nap) failed: the step ran longer than its limit of 0.3s (plugins.step_timeout_seconds)"
    )
    assert _statuses(result) == ["failed", "skipped"]


def test_a_step_that_cannot_be_interrupted_still_fails_when_it_overruns(registry: PluginRegistry) -> None:
    env = RunEnvironment(step_timeout_seconds=0.1)
    result, _ = _run(registry, StepDefinition("busy", "Utility.busy", {"seconds": 0.3}), StopSignal(), env)
    assert "limit of 0.1s (plugins.step_timeout_seconds)" in str(result.error)
    assert _statuses(result) == ["failed", "skipped"]


def test_a_step_within_its_limit_is_not_affected_by_it(registry: PluginRegistry) -> None:
    env = RunEnvironment(step_timeout_seconds=5)
    result, _ = _run(registry, StepDefinition("nap", "Utility.sleep", {"seconds": 0.05}), StopSignal(), env)
    assert result.success and _statuses(result) == ["succeeded", "succeeded"]


def test_a_cancel_during_a_step_that_cannot_be_interrupted_keeps_its_output_and_skips_the_rest(
    registry: PluginRegistry,
) -> None:
    stop = StopSignal()
    threading.Timer(0.1, stop.stop, [JobCancelled("cancelled")]).start()
    result, _ = _run(registry, StepDefinition("busy", "Utility.busy", {"seconds": 0.3}), stop)
    assert result.cancelled and _statuses(result) == ["succeeded", "skipped"]
    assert result.context["busy"] == "done"


def test_the_job_time_limit_fails_the_running_step_naming_the_setting(registry: PluginRegistry) -> None:
    stop = StopSignal()
    stop.limit_job(0.3, "queue.job_timeout_seconds")
    result, took = _run(registry, StepDefinition("nap", "Utility.sleep", {"seconds": 60}), stop)
    assert took < 1
    assert result.error == (
        "step 0 (nap) failed: the job ran longer than its limit of 0.3s (queue.job_timeout_seconds)"
    )


def test_a_step_own_timeout_seconds_overrides_the_default_and_is_named(registry: PluginRegistry) -> None:
    env = RunEnvironment(step_timeout_seconds=60)
    nap = StepDefinition("nap", "Utility.sleep", {"seconds": 60}, timeout_seconds=0.2)
    result, took = _run(registry, nap, StopSignal(), env)
    assert took < 1
    assert (
        result.error
        == "step 0 (nap) failed: the step ran longer than its limit of 0.2s (steps[0].timeout_seconds)"
    )
