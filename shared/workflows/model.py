"""A workflow as validated: its tasks, their dependencies, fan-out and retries. Immutable; built only by
:mod:`shared.workflows.validation`, which locates every problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_TASKS = 200
MAX_FANOUT_ITEMS = 1000
MAX_RETRIES = 10
MAX_RETRY_DELAY_SECONDS = 24 * 3600
MAX_ACTIVE_TASKS = 1000
DEFAULT_MAX_ACTIVE_TASKS = 100
# One plain task's instance has item index -1; a fan-out task's instances are its items 0..n-1.
NO_ITEM = -1

WORKFLOW_FIELDS = ("name", "description", "inputs", "max_active_tasks", "tasks")
TASK_FIELDS = (
    "id",
    "pipeline",
    "pipeline_yaml",
    "depends_on",
    "context",
    "retries",
    "retry_delay_seconds",
    "for_each",
)


@dataclass(frozen=True)
class TaskDefinition:
    """One task: the pipeline it runs (a stored pipeline's name, or inline YAML), what it waits for, the
    context it adds, how often a failed run is tried again, and its fan-out (a list, or the dotted path of
    a list in the run's input context)."""

    id: str
    pipeline: str | None = None
    pipeline_yaml: str | None = None
    depends_on: tuple[str, ...] = ()
    context: dict[str, Any] = field(default_factory=dict)
    retries: int = 0
    retry_delay_seconds: float = 0.0
    for_each: list[Any] | str | None = None

    @property
    def is_fanout(self) -> bool:
        return self.for_each is not None

    def to_dict(self) -> dict[str, Any]:
        """The task as stored (fields left at their default are left out)."""
        out: dict[str, Any] = {"id": self.id}
        if self.pipeline is not None:
            out["pipeline"] = self.pipeline
        if self.pipeline_yaml is not None:
            out["pipeline_yaml"] = self.pipeline_yaml
        if self.depends_on:
            out["depends_on"] = list(self.depends_on)
        if self.context:
            out["context"] = self.context
        if self.retries:
            out["retries"] = self.retries
        if self.retry_delay_seconds:
            out["retry_delay_seconds"] = self.retry_delay_seconds
        if self.for_each is not None:
            out["for_each"] = self.for_each
        return out


@dataclass(frozen=True)
class WorkflowDefinition:
    """A validated workflow: tasks in definition order, acyclic, ids unique."""

    name: str
    tasks: tuple[TaskDefinition, ...]
    description: str = ""
    inputs: tuple[str, ...] = ()
    max_active_tasks: int = DEFAULT_MAX_ACTIVE_TASKS

    def task(self, task_id: str) -> TaskDefinition:
        return next(t for t in self.tasks if t.id == task_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "inputs": list(self.inputs),
            "max_active_tasks": self.max_active_tasks,
            "tasks": [t.to_dict() for t in self.tasks],
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> WorkflowDefinition:
        """A definition stored by :meth:`to_dict` (already validated when it was stored)."""
        return cls(
            name=raw["name"],
            description=raw.get("description", ""),
            inputs=tuple(raw.get("inputs", ())),
            max_active_tasks=int(raw.get("max_active_tasks", DEFAULT_MAX_ACTIVE_TASKS)),
            tasks=tuple(
                TaskDefinition(
                    id=t["id"],
                    pipeline=t.get("pipeline"),
                    pipeline_yaml=t.get("pipeline_yaml"),
                    depends_on=tuple(t.get("depends_on", ())),
                    context=dict(t.get("context", {})),
                    retries=int(t.get("retries", 0)),
                    retry_delay_seconds=float(t.get("retry_delay_seconds", 0)),
                    for_each=t.get("for_each"),
                )
                for t in raw["tasks"]
            ),
        )
