from __future__ import annotations

import pytest

from shared.errors import PipelineValidationError
from shared.pipelines.validation import load_pipelines, load_single_pipeline
from shared.plugins.registry import PluginRegistry

GOOD = """
name: sales
description: totals
steps:
  - name: read
    plugin: Utility.noop
    config: {value: [1, 2]}
    output: numbers
  - name: echo
    plugin: Utility.noop
    config: {value: "{{ numbers }}"}
"""


def _locations(exc: pytest.ExceptionInfo[PipelineValidationError]) -> list[str]:
    return [p.location for p in exc.value.problems]


def test_valid_pipeline_loads_with_its_steps_in_order(registry: PluginRegistry) -> None:
    pipeline = load_single_pipeline(GOOD, registry)
    assert pipeline.name == "sales"
    assert [s.name for s in pipeline.steps] == ["read", "echo"]
    assert pipeline.steps[0].output_key == "numbers"


def test_every_problem_is_reported_at_once_with_its_location(registry: PluginRegistry) -> None:
    text = """
pipelines:
  - name: a
    steps:
      - name: s1
        plugin: Nope.missing
      - name: s2
        plugin: Utility.sleep
        config: {seconds: "slow"}
      - plugin: Utility.noop
  - steps: []
"""
    with pytest.raises(PipelineValidationError) as exc:
        load_pipelines(text, registry)
    assert _locations(exc) == [
        "pipelines[0].steps[0].plugin",
        "pipelines[0].steps[1].config.seconds",
        "pipelines[0].steps[2].name",
        "pipelines[1].name",
        "pipelines[1].steps",
    ]


def test_input_that_no_earlier_step_outputs_is_an_error(registry: PluginRegistry) -> None:
    text = """
name: p
steps:
  - name: a
    plugin: Utility.noop
    config: {value: "{{ later }}"}
  - name: b
    plugin: Utility.noop
    output: later
"""
    with pytest.raises(PipelineValidationError, match="no earlier step outputs 'later'") as exc:
        load_single_pipeline(text, registry)
    assert _locations(exc) == ["pipeline.steps[0].config.value"]


def test_declared_inputs_and_context_keys_count_as_available(registry: PluginRegistry) -> None:
    text = """
name: p
inputs: [who]
steps:
  - name: a
    plugin: Utility.noop
    config: {value: "{{ who }} {{ when }}"}
"""
    assert load_single_pipeline(text, registry, context_keys=["when"]).inputs == ("who",)


def test_unknown_fields_are_refused_to_catch_typos(registry: PluginRegistry) -> None:
    text = "name: p\nstep: []\nsteps:\n  - name: a\n    plugin: Utility.noop\n    outptu: x\n"
    with pytest.raises(PipelineValidationError) as exc:
        load_single_pipeline(text, registry)
    assert _locations(exc) == ["pipeline.step", "pipeline.steps[0].outptu"]


def test_duplicate_step_names_are_refused(registry: PluginRegistry) -> None:
    text = "name: p\nsteps:\n  - {name: a, plugin: Utility.noop}\n  - {name: a, plugin: Utility.noop}\n"
    with pytest.raises(PipelineValidationError, match="duplicate step name 'a'"):
        load_single_pipeline(text, registry)


def test_wrong_types_are_named(registry: PluginRegistry) -> None:
    text = "name: p\nenabled: maybe\nsteps:\n  - {name: a, plugin: Utility.noop, config: [1]}\n"
    with pytest.raises(PipelineValidationError) as exc:
        load_single_pipeline(text, registry)
    assert _locations(exc) == ["pipeline.enabled", "pipeline.steps[0].config"]


def test_a_template_may_stand_where_the_schema_wants_a_number(registry: PluginRegistry) -> None:
    text = (
        "name: p\ninputs: [n]\nsteps:\n  - {name: a, plugin: Utility.sleep, config: {seconds: '{{ n }}'}}\n"
    )
    assert load_single_pipeline(text, registry).steps[0].config == {"seconds": "{{ n }}"}


def test_a_step_timeout_is_kept_and_a_bad_one_is_named(registry: PluginRegistry) -> None:
    good = load_single_pipeline(
        "name: p\nsteps:\n  - {name: a, plugin: Utility.noop, timeout_seconds: 2.5}\n", registry
    )
    assert good.steps[0].timeout_seconds == 2.5
    assert good.to_dict()["steps"][0]["timeout_seconds"] == 2.5
    for bad in ("0", "-1", "'5s'", "true"):
        text = f"name: p\nsteps:\n  - {{name: a, plugin: Utility.noop, timeout_seconds: {bad}}}\n"
        with pytest.raises(PipelineValidationError) as exc:
            load_single_pipeline(text, registry)
        assert _locations(exc) == ["pipeline.steps[0].timeout_seconds"]
