"""Validating raw pipeline mappings: every problem at once, each with its location."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from shared.errors import PipelineValidationError, Problem
from shared.pipelines.loader import parse_yaml, pipeline_mappings
from shared.pipelines.model import PIPELINE_FIELDS, STEP_FIELDS, PipelineDefinition, StepDefinition
from shared.pipelines.templating import referenced_keys
from shared.plugins.registry import PluginRegistry

KEY_PATTERN = re.compile(r"^[A-Za-z_][\w-]{0,127}$")
MAX_STEPS = 500


def load_pipelines(
    text: str, registry: PluginRegistry, *, context_keys: Iterable[str] = ()
) -> list[PipelineDefinition]:
    """Every pipeline in a YAML document, validated; raises :class:`PipelineValidationError` listing all."""
    pairs = pipeline_mappings(parse_yaml(text))
    problems: list[Problem] = []
    definitions = []
    names: set[str] = set()
    for location, raw in pairs:
        definition, found = check_pipeline(raw, registry, location=location, context_keys=context_keys)
        problems.extend(found)
        if definition is not None:
            if definition.name in names:
                problems.append(Problem(f"{location}.name", f"duplicate pipeline name {definition.name!r}"))
            names.add(definition.name)
            definitions.append(definition)
    if problems:
        raise PipelineValidationError(problems)
    return definitions


def load_single_pipeline(
    text: str, registry: PluginRegistry, *, context_keys: Iterable[str] = ()
) -> PipelineDefinition:
    """The one pipeline in a YAML document; a document with several is refused."""
    definitions = load_pipelines(text, registry, context_keys=context_keys)
    if len(definitions) != 1:
        raise PipelineValidationError(
            [Problem("pipelines", f"expected exactly one pipeline, found {len(definitions)}")]
        )
    return definitions[0]


def validate_definition(
    raw: Any, registry: PluginRegistry, *, location: str = "pipeline", context_keys: Iterable[str] = ()
) -> PipelineDefinition:
    """A validated definition from a raw mapping; raises listing every problem."""
    definition, problems = check_pipeline(raw, registry, location=location, context_keys=context_keys)
    if problems or definition is None:
        raise PipelineValidationError(problems)
    return definition


def check_inputs_given(definition: PipelineDefinition, context: Iterable[str]) -> None:
    """A :class:`PipelineValidationError` naming each input the pipeline declares that ``context`` lacks,
    so a run is refused at once rather than failing after its earlier steps ran."""
    given = set(context)
    missing = [key for key in definition.inputs if key not in given]
    if missing:
        raise PipelineValidationError(
            [
                Problem(f"context.{key}", f"required: pipeline {definition.name!r} declares input {key!r}")
                for key in missing
            ],
            message=f"missing input(s) of pipeline {definition.name!r}: "
            + ", ".join(f"context.{key}" for key in missing),
        )


def check_pipeline(
    raw: Any, registry: PluginRegistry, *, location: str = "pipeline", context_keys: Iterable[str] = ()
) -> tuple[PipelineDefinition | None, list[Problem]]:
    """``(definition or None, problems)`` for one raw pipeline mapping."""
    if not isinstance(raw, dict):
        return None, [Problem(location, f"a pipeline must be a mapping, got {_kind(raw)}")]
    problems = [
        Problem(f"{location}.{k}", f"unknown field (allowed: {', '.join(PIPELINE_FIELDS)})")
        for k in raw
        if k not in PIPELINE_FIELDS
    ]
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(f"{location}.name", "required: a non-empty string"))
    elif len(name) > 200:
        problems.append(Problem(f"{location}.name", "must be at most 200 characters"))
    description = raw.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str):
        problems.append(Problem(f"{location}.description", f"must be a string, got {_kind(description)}"))
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(Problem(f"{location}.enabled", f"must be true or false, got {_kind(enabled)}"))
    inputs = raw.get("inputs", [])
    if not (isinstance(inputs, list) and all(isinstance(i, str) and KEY_PATTERN.match(i) for i in inputs)):
        problems.append(Problem(f"{location}.inputs", "must be a list of context key names"))
        inputs = []
    steps_raw = raw.get("steps")
    if not isinstance(steps_raw, list) or not steps_raw:
        problems.append(Problem(f"{location}.steps", "required: a non-empty list of steps"))
        steps_raw = []
    elif len(steps_raw) > MAX_STEPS:
        problems.append(Problem(f"{location}.steps", f"at most {MAX_STEPS} steps are allowed"))
        steps_raw = []
    available = set(inputs) | set(context_keys)
    steps = []
    step_names: set[str] = set()
    for index, step_raw in enumerate(steps_raw):
        where = f"{location}.steps[{index}]"
        step, step_problems = _check_step(step_raw, where, registry, available)
        problems.extend(step_problems)
        if step is not None:
            if step.name in step_names:
                problems.append(Problem(f"{where}.name", f"duplicate step name {step.name!r}"))
            step_names.add(step.name)
            available.add(step.output_key)
            steps.append(step)
    if problems:
        return None, problems
    return (
        PipelineDefinition(
            name=str(name).strip(),
            description=description,
            enabled=enabled,
            inputs=tuple(inputs),
            steps=tuple(steps),
        ),
        [],
    )


def _check_step(
    raw: Any, where: str, registry: PluginRegistry, available: set[str]
) -> tuple[StepDefinition | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem(where, f"a step must be a mapping, got {_kind(raw)}")]
    problems = [
        Problem(f"{where}.{k}", f"unknown field (allowed: {', '.join(STEP_FIELDS)})")
        for k in raw
        if k not in STEP_FIELDS
    ]
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem(f"{where}.name", "required: a non-empty string"))
    output = raw.get("output")
    if output is not None and not (isinstance(output, str) and KEY_PATTERN.match(output)):
        problems.append(Problem(f"{where}.output", "must be a context key: letters, digits, '_' or '-'"))
    config = raw.get("config", {})
    if config is None:
        config = {}
    if not isinstance(config, dict):
        problems.append(Problem(f"{where}.config", f"must be a mapping, got {_kind(config)}"))
        config = {}
    problems.extend(_check_plugin(raw.get("plugin"), config, where, registry))
    input_key = config.get("input")
    if isinstance(input_key, str) and "{{" not in input_key and input_key not in available:
        problems.append(Problem(f"{where}.config.input", _unknown_key_message(input_key, available)))
    for location, key in referenced_keys(config, f"{where}.config"):
        if key not in available:
            problems.append(Problem(location, _unknown_key_message(key, available)))
    if problems:
        return None, problems
    return StepDefinition(name=str(name).strip(), plugin=raw["plugin"], config=config, output=output), []


def _check_plugin(
    plugin_key: Any, config: dict[str, Any], where: str, registry: PluginRegistry
) -> list[Problem]:
    if not isinstance(plugin_key, str) or not plugin_key:
        return [Problem(f"{where}.plugin", "required: a plugin written 'Type.name', e.g. 'Input.csv'")]
    plugin = registry.get(plugin_key)
    if plugin is None:
        return [Problem(f"{where}.plugin", f"unknown plugin {plugin_key!r}; see GET /api/v1/plugins")]
    return [
        Problem(f"{where}.{p.location}", p.message)
        for p in plugin().validate_config(config, allow_templates=True)
    ]


def _unknown_key_message(key: str, available: set[str]) -> str:
    known = ", ".join(sorted(available)) or "none yet"
    return (
        f"no earlier step outputs {key!r} and the pipeline declares no such input (available here: {known})"
    )


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )
