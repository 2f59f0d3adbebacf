"""Validating a workflow's YAML: every problem at once, each located (``tasks[2].depends_on[0]``) and
naming its task; cycles are found with networkx and named task by task."""

from __future__ import annotations

import re
from typing import Any

import networkx as nx

from shared.errors import ErrorKind, InvalidInput, PipelineValidationError, Problem
from shared.pipelines.loader import parse_yaml
from shared.pipelines.validation import KEY_PATTERN, load_single_pipeline
from shared.plugins.registry import PluginRegistry
from shared.workflows.model import (
    DEFAULT_MAX_ACTIVE_TASKS,
    MAX_ACTIVE_TASKS,
    MAX_FANOUT_ITEMS,
    MAX_RETRIES,
    MAX_RETRY_DELAY_SECONDS,
    MAX_TASKS,
    TASK_FIELDS,
    WORKFLOW_FIELDS,
    TaskDefinition,
    WorkflowDefinition,
)

TASK_ID = re.compile(r"^[A-Za-z_][\w-]{0,99}$")
CONTEXT_PATH = re.compile(r"^[A-Za-z_][\w-]{0,127}(\.[A-Za-z_][\w-]{0,127}){0,9}$")
# The keys a fan-out child finds in its context besides the run's input and the task's own context.
ITEM_KEYS = ("item", "item_index")


class WorkflowValidationError(InvalidInput):
    """A workflow definition has one or more problems; all of them are listed."""

    kind = ErrorKind.INVALID_DEFINITION

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        summary = f"workflow is invalid: {len(self.problems)} problem(s): " + "; ".join(
            str(p) for p in self.problems[:10]
        )
        super().__init__(summary, errors=[{"location": p.location, "message": p.message} for p in problems])


def parse_workflow(text: str, registry: PluginRegistry) -> WorkflowDefinition:
    """The workflow in a YAML document, validated (inline pipelines too); raises listing every problem."""
    return validate_workflow(parse_yaml(text), registry)


def validate_workflow(raw: Any, registry: PluginRegistry) -> WorkflowDefinition:
    """A validated workflow from a parsed mapping; :class:`WorkflowValidationError` listing all problems."""
    if not isinstance(raw, dict):
        raise WorkflowValidationError([Problem("workflow", f"must be a mapping, got {_kind(raw)}")])
    problems = [
        Problem(k, f"unknown field (allowed: {', '.join(WORKFLOW_FIELDS)})")
        for k in raw
        if k not in WORKFLOW_FIELDS
    ]
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("name", "required: a non-empty string"))
    elif len(name) > 200:
        problems.append(Problem("name", "must be at most 200 characters"))
    description = raw.get("description") or ""
    if not isinstance(description, str):
        problems.append(Problem("description", f"must be a string, got {_kind(description)}"))
    inputs = raw.get("inputs") or []
    if not (isinstance(inputs, list) and all(isinstance(i, str) and KEY_PATTERN.match(i) for i in inputs)):
        problems.append(Problem("inputs", "must be a list of context key names"))
        inputs = []
    max_active = raw.get("max_active_tasks", DEFAULT_MAX_ACTIVE_TASKS)
    if not _is_int(max_active, 1, MAX_ACTIVE_TASKS):
        problems.append(Problem("max_active_tasks", f"must be a whole number from 1 to {MAX_ACTIVE_TASKS}"))
    tasks_raw = raw.get("tasks")
    if not isinstance(tasks_raw, list) or not tasks_raw:
        problems.append(Problem("tasks", "required: a non-empty list of tasks"))
        tasks_raw = []
    elif len(tasks_raw) > MAX_TASKS:
        problems.append(Problem("tasks", f"at most {MAX_TASKS} tasks are allowed, got {len(tasks_raw)}"))
        tasks_raw = []
    tasks: list[TaskDefinition] = []
    where_of: dict[str, str] = {}
    for index, task_raw in enumerate(tasks_raw):
        task, found = _check_task(task_raw, index, registry, set(inputs))
        problems.extend(found)
        if task is None:
            continue
        where = _where(index, task.id)
        if task.id in where_of:
            problems.append(
                Problem(f"{where}.id", f"duplicate task id {task.id!r} (also {where_of[task.id]})")
            )
            continue
        where_of[task.id] = where
        tasks.append(task)
    problems.extend(_check_graph(tasks, where_of, tasks_raw))
    if problems:
        raise WorkflowValidationError(problems)
    return WorkflowDefinition(
        name=str(name).strip(),
        description=description,
        inputs=tuple(inputs),
        max_active_tasks=int(max_active),
        tasks=tuple(tasks),
    )


def _check_task(
    raw: Any, index: int, registry: PluginRegistry, inputs: set[str]
) -> tuple[TaskDefinition | None, list[Problem]]:
    if not isinstance(raw, dict):
        return None, [Problem(f"tasks[{index}]", f"a task must be a mapping, got {_kind(raw)}")]
    task_id = raw.get("id")
    if not isinstance(task_id, str) or not TASK_ID.match(task_id):
        return None, [
            Problem(
                f"tasks[{index}].id", "required: letters, digits, '_' or '-' (at most 100), not a digit first"
            )
        ]
    where = _where(index, task_id)
    problems = [
        Problem(f"{where}.{k}", f"unknown field (allowed: {', '.join(TASK_FIELDS)})")
        for k in raw
        if k not in TASK_FIELDS
    ]
    pipeline, pipeline_yaml = raw.get("pipeline"), raw.get("pipeline_yaml")
    if (pipeline is None) == (pipeline_yaml is None):
        problems.append(
            Problem(where, "give exactly one of pipeline (a stored pipeline's name) or pipeline_yaml")
        )
    if pipeline is not None and not (isinstance(pipeline, str) and 0 < len(pipeline) <= 200):
        problems.append(Problem(f"{where}.pipeline", "must be a stored pipeline's name"))
    context = raw.get("context") or {}
    if not isinstance(context, dict) or not all(isinstance(k, str) for k in context):
        problems.append(Problem(f"{where}.context", "must be a mapping of context keys to values"))
        context = {}
    depends_on = raw.get("depends_on") or []
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        problems.append(Problem(f"{where}.depends_on", "must be a list of task ids"))
        depends_on = []
    retries = raw.get("retries", 0)
    if not _is_int(retries, 0, MAX_RETRIES):
        problems.append(Problem(f"{where}.retries", f"must be a whole number from 0 to {MAX_RETRIES}"))
    delay = raw.get("retry_delay_seconds", 0)
    if not (
        isinstance(delay, int | float)
        and not isinstance(delay, bool)
        and 0 <= delay <= MAX_RETRY_DELAY_SECONDS
    ):
        problems.append(
            Problem(
                f"{where}.retry_delay_seconds",
                f"must be a number of seconds from 0 to {MAX_RETRY_DELAY_SECONDS}",
            )
        )
    for_each = raw.get("for_each")
    problems.extend(_check_for_each(for_each, where))
    if isinstance(pipeline_yaml, str):
        keys = inputs | set(context) | (set(ITEM_KEYS) if for_each is not None else set())
        problems.extend(_check_inline_pipeline(pipeline_yaml, where, registry, keys))
    elif pipeline_yaml is not None:
        problems.append(Problem(f"{where}.pipeline_yaml", "must be a YAML document of one pipeline"))
    if problems:
        return None, problems
    task = TaskDefinition(
        id=task_id,
        pipeline=pipeline,
        pipeline_yaml=pipeline_yaml,
        depends_on=tuple(dict.fromkeys(depends_on)),
        context=context,
        retries=int(retries),
        retry_delay_seconds=float(delay),
        for_each=for_each,
    )
    return task, []


def _check_for_each(for_each: Any, where: str) -> list[Problem]:
    if for_each is None:
        return []
    if isinstance(for_each, list):
        if len(for_each) > MAX_FANOUT_ITEMS:
            return [Problem(f"{where}.for_each", f"at most {MAX_FANOUT_ITEMS} items, got {len(for_each)}")]
        return []
    if isinstance(for_each, str) and CONTEXT_PATH.match(for_each):
        return []
    return [
        Problem(
            f"{where}.for_each", "must be a list of items or the dotted path of a list in the run's context"
        )
    ]


def _check_inline_pipeline(text: str, where: str, registry: PluginRegistry, keys: set[str]) -> list[Problem]:
    try:
        load_single_pipeline(text, registry, context_keys=keys)
    except PipelineValidationError as exc:
        return [Problem(f"{where}.pipeline_yaml.{p.location}", p.message) for p in exc.problems]
    except InvalidInput as exc:  # unparseable YAML
        return [Problem(f"{where}.pipeline_yaml", exc.message)]
    return []


def _check_graph(
    tasks: list[TaskDefinition], where_of: dict[str, str], tasks_raw: list[Any]
) -> list[Problem]:
    problems: list[Problem] = []
    graph = nx.DiGraph()
    graph.add_nodes_from(t.id for t in tasks)
    for task in tasks:
        for position, dependency in enumerate(task.depends_on):
            location = f"{where_of[task.id]}.depends_on[{position}]"
            if dependency == task.id:
                problems.append(Problem(location, f"task {task.id!r} cannot depend on itself"))
            elif dependency not in where_of:
                if _is_declared(dependency, tasks_raw):
                    continue  # the dependency is invalid itself; its own problem says why
                known = ", ".join(sorted(where_of)[:20])
                problems.append(Problem(location, f"unknown task {dependency!r} (tasks: {known})"))
            else:
                graph.add_edge(dependency, task.id)
    try:
        cycle = nx.find_cycle(graph)
    except nx.NetworkXNoCycle:
        return problems
    names = [edge[0] for edge in cycle] + [cycle[0][0]]
    problems.append(Problem(f"{where_of[names[0]]}.depends_on", "dependency cycle: " + " -> ".join(names)))
    return problems


def _is_declared(task_id: str, tasks_raw: list[Any]) -> bool:
    return any(isinstance(t, dict) and t.get("id") == task_id for t in tasks_raw)


def _where(index: int, task_id: str) -> str:
    return f"tasks[{index}]({task_id})"


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _kind(value: Any) -> str:
    return type(value).__name__
