"""Workflow YAML is refused with every problem located at its task and field."""

from __future__ import annotations

import pytest

from shared.plugins.registry import PluginRegistry
from shared.workflows.validation import WorkflowValidationError, parse_workflow

NOOP = "name: p\\nsteps:\\n  - {name: a, plugin: Utility.noop}\\n"


@pytest.fixture(scope="module")
def registry() -> PluginRegistry:
    return PluginRegistry.default(include_entry_points=False)


def _problems(text: str, registry: PluginRegistry) -> dict[str, str]:
    with pytest.raises(WorkflowValidationError) as refused:
        parse_workflow(text, registry)
    return {e["location"]: e["message"] for e in refused.value.errors}


def test_a_diamond_with_a_fanout_and_retries_is_valid(registry: PluginRegistry) -> None:
    definition = parse_workflow(
        f"""
name: nightly
inputs: [regions]
tasks:
  - {{id: extract, pipeline: extract}}
  - {{id: per_region, pipeline_yaml: "{NOOP}", depends_on: [extract], for_each: regions}}
  - {{id: fixed, pipeline: other, depends_on: [extract], for_each: [1, 2], retries: 2,
     retry_delay_seconds: 1.5}}
  - {{id: load, pipeline: load, depends_on: [per_region, fixed], context: {{mode: full}}}}
""",
        registry,
    )
    assert [t.id for t in definition.tasks] == ["extract", "per_region", "fixed", "load"]
    assert definition.task("load").depends_on == ("per_region", "fixed")
    assert definition.task("fixed").retries == 2 and definition.task("per_region").for_each == "regions"


def test_a_cycle_is_named_task_by_task(registry: PluginRegistry) -> None:
    problems = _problems(
        """
name: loop
tasks:
  - {id: a, pipeline: p, depends_on: [c]}
  - {id: b, pipeline: p, depends_on: [a]}
  - {id: c, pipeline: p, depends_on: [b]}
""",
        registry,
    )
    (location, message), *_ = problems.items()
    assert location.endswith(".depends_on") and message.startswith("dependency cycle: ")
    cycle = message.removeprefix("dependency cycle: ").split(" -> ")
    assert set(cycle) == {"a", "b", "c"} and cycle[0] == cycle[-1] and len(cycle) == 4


def test_unknown_and_self_dependencies_and_duplicate_ids_name_their_task(registry: PluginRegistry) -> None:
    problems = _problems(
        """
name: bad
tasks:
  - {id: a, pipeline: p, depends_on: [a]}
  - {id: b, pipeline: p, depends_on: [extrct]}
  - {id: b, pipeline: q}
""",
        registry,
    )
    assert problems == {
        "tasks[0](a).depends_on[0]": "task 'a' cannot depend on itself",
        "tasks[1](b).depends_on[0]": "unknown task 'extrct' (tasks: a, b)",
        "tasks[2](b).id": "duplicate task id 'b' (also tasks[1](b))",
    }


def test_each_task_field_is_checked_where_it_is(registry: PluginRegistry) -> None:
    problems = _problems(
        """
name: fields
tasks:
  - {id: both, pipeline: p, pipeline_yaml: "x"}
  - {id: none}
  - {id: r, pipeline: p, retries: -1, retry_delay_seconds: "soon", for_each: 3, colour: red}
  - {id: 9lives, pipeline: p}
""",
        registry,
    )
    assert "exactly one of pipeline" in problems["tasks[0](both)"]
    assert "exactly one of pipeline" in problems["tasks[1](none)"]
    assert "from 0 to 10" in problems["tasks[2](r).retries"]
    assert "seconds" in problems["tasks[2](r).retry_delay_seconds"]
    assert "list of items or the dotted path" in problems["tasks[2](r).for_each"]
    assert "unknown field" in problems["tasks[2](r).colour"]
    assert "letters, digits" in problems["tasks[3].id"]


def test_an_inline_pipeline_s_problems_are_located_inside_its_task(registry: PluginRegistry) -> None:
    problems = _problems(
        'name: w\ntasks:\n  - {id: t, pipeline_yaml: "name: p\\nsteps:\\n'
        '  - {name: a, plugin: Nope.none}\\n"}\n',
        registry,
    )
    [(location, message)] = problems.items()
    assert location.startswith("tasks[0](t).pipeline_yaml.pipeline.steps[0].plugin"), location
    assert "Nope.none" in message


def test_the_size_caps_hold(registry: PluginRegistry) -> None:
    many = "\n".join(f"  - {{id: t{i}, pipeline: p}}" for i in range(201))
    assert "at most 200 tasks" in _problems(f"name: big\ntasks:\n{many}\n", registry)["tasks"]
    items = ", ".join(str(i) for i in range(1001))
    wide = _problems(f"name: wide\ntasks:\n  - {{id: f, pipeline: p, for_each: [{items}]}}\n", registry)
    assert wide == {"tasks[0](f).for_each": "at most 1000 items, got 1001"}
