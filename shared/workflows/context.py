"""A fan-out's items: the task's own list, or the list at a dotted path of the run's input context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.errors import InvalidInput
from shared.workflows.model import MAX_FANOUT_ITEMS, TaskDefinition


def resolve_items(task: TaskDefinition, context: Mapping[str, Any]) -> list[Any]:
    """The items task ``task`` fans out over; :class:`InvalidInput` naming the task when the path is
    missing, not a list, or longer than the cap."""
    if isinstance(task.for_each, list):
        return list(task.for_each)
    path = str(task.for_each)
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            raise InvalidInput.at(
                f"context.{path}", f"task {task.id!r} fans out over {path!r}, which the run's context lacks"
            )
        value = value[part]
    if not isinstance(value, list):
        raise InvalidInput.at(
            f"context.{path}",
            f"task {task.id!r} fans out over {path!r}: a list is needed, got {type(value).__name__}",
        )
    if len(value) > MAX_FANOUT_ITEMS:
        raise InvalidInput.at(
            f"context.{path}",
            f"task {task.id!r}: at most {MAX_FANOUT_ITEMS} items per fan-out, got {len(value)}",
        )
    return value
