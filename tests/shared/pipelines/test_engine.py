from __future__ import annotations

from typing import Any, ClassVar

import pytest

from shared.errors import JobCancelled
from shared.pipelines.engine import StepRecord, run_pipeline
from shared.pipelines.model import PipelineDefinition, StepDefinition
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.registry import PluginRegistry


class Explode(Plugin):
    type = "Utility"
    name = "explode"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        raise ZeroDivisionError("boom")


@pytest.fixture()
def registry() -> PluginRegistry:
    registry = PluginRegistry.default(include_entry_points=False)
    registry.add(Explode)
    return registry


def _pipeline(*steps: StepDefinition) -> PipelineDefinition:
    return PipelineDefinition(name="p", steps=steps)


def test_each_step_output_is_stored_under_its_output_key(registry: PluginRegistry) -> None:
    result = run_pipeline(
        _pipeline(
            StepDefinition("a", "Utility.noop", {"value": 2}, output="two"),
            StepDefinition("b", "Utility.noop", {"value": "{{ two }}"}),
        ),
        registry,
    )
    assert result.success
    assert result.context == {"two": 2, "b": 2}
    assert [r.status for r in result.steps] == ["succeeded", "succeeded"]


def test_a_failing_step_stops_the_run_and_skips_the_rest(registry: PluginRegistry) -> None:
    result = run_pipeline(
        _pipeline(StepDefinition("a", "Utility.explode"), StepDefinition("b", "Utility.noop")), registry
    )
    assert not result.success
    assert result.error == "step 0 (a) failed: ZeroDivisionError: boom"
    assert [r.status for r in result.steps] == ["failed", "skipped"]


def test_rendered_config_is_checked_against_the_schema(registry: PluginRegistry) -> None:
    result = run_pipeline(
        _pipeline(StepDefinition("a", "Utility.sleep", {"seconds": "{{ n }}"})),
        registry,
        context={"n": "soon"},
    )
    assert not result.success
    assert "steps[0].config.seconds" in (result.error or "")


def test_observer_can_cancel_before_the_next_step(registry: PluginRegistry) -> None:
    def observer(record: StepRecord, records: list[StepRecord]) -> None:
        if record.index == 1:
            raise JobCancelled("stop")

    result = run_pipeline(
        _pipeline(StepDefinition("a", "Utility.noop"), StepDefinition("b", "Utility.noop")),
        registry,
        observer=observer,
    )
    assert result.cancelled
    assert [r.status for r in result.steps] == ["succeeded", "cancelled"]
