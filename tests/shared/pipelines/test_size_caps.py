"""Caps on what a run may hold (#11 item 4): a rendered config value, one step's output, the whole context.
Exceeding one fails the step with a message naming the setting, and nothing oversized is kept."""

from __future__ import annotations

import json

from shared.pipelines.engine import run_pipeline
from shared.pipelines.model import PipelineDefinition, StepDefinition
from shared.pipelines.sizes import json_size
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry


def _doubling(steps: int) -> PipelineDefinition:
    # The reported bomb: each step writes '{{ a }}{{ a }}' back to a, so a doubles every step.
    return PipelineDefinition(
        name="bomb",
        steps=tuple(
            StepDefinition(f"s{i}", "Utility.noop", {"value": "{{ a }}{{ a }}"}, output="a")
            for i in range(steps)
        ),
    )


def test_a_doubling_pipeline_fails_at_the_step_whose_text_passes_the_rendered_value_cap(
    registry: PluginRegistry,
) -> None:
    result = run_pipeline(_doubling(30), registry, context={"a": "x" * 1000})
    assert not result.success
    failed = [r for r in result.steps if r.status == "failed"]
    assert [r.name for r in failed] == ["s10"]  # 1000 * 2**10 characters is past 1 MB
    assert failed[0].error is not None and "pipelines.max_rendered_value_bytes" in failed[0].error
    assert len(result.context["a"]) == 1000 * 2**10  # the last value under the cap


def test_the_rendered_value_cap_is_a_setting(registry: PluginRegistry) -> None:
    env = RunEnvironment(max_rendered_value_bytes=10_000)
    result = run_pipeline(_doubling(30), registry, context={"a": "x" * 1000}, env=env)
    assert [r.name for r in result.steps if r.status == "failed"] == ["s3"]  # 16,000 characters


def test_a_step_output_over_its_cap_fails_the_step_and_is_not_stored(registry: PluginRegistry) -> None:
    definition = PipelineDefinition(
        name="big", steps=(StepDefinition("copy", "Utility.noop", {"value": "{{ rows }}"}, output="copy"),)
    )
    rows = [{"id": i, "text": "y" * 100} for i in range(1000)]
    env = RunEnvironment(max_step_output_bytes=50_000)
    result = run_pipeline(definition, registry, context={"rows": rows}, env=env)
    assert not result.success
    assert result.error is not None and "pipelines.max_step_output_bytes" in result.error
    assert "copy" not in result.context


def test_outputs_that_together_pass_the_context_cap_fail_the_step_that_crosses_it(
    registry: PluginRegistry,
) -> None:
    steps = tuple(
        StepDefinition(f"c{i}", "Utility.noop", {"value": "{{ seed }}"}, output=f"c{i}") for i in range(10)
    )
    env = RunEnvironment(max_context_bytes=50_000)
    result = run_pipeline(
        PipelineDefinition(name="grow", steps=steps), registry, context={"seed": "z" * 10_000}, env=env
    )
    assert [r.name for r in result.steps if r.status == "failed"] == ["c3"]
    assert result.error is not None and "pipelines.max_context_bytes" in result.error
    assert len(json.dumps(result.context)) <= 50_000


def test_the_size_estimate_is_close_to_the_json_length_and_stops_at_the_limit() -> None:
    value = {"rows": [{"id": i, "name": f"n{i}", "ok": True, "x": None} for i in range(500)]}
    exact = len(json.dumps(value))
    assert exact <= json_size(value, 10**9) <= 2 * exact
    assert json_size([["a" * 60] * 1_000_000], 100) > 100  # without walking a million strings
