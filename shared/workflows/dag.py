"""Advancing a workflow run, as a pure function of its state: which fan-outs to expand, which task
instances to start, and whether the run is done. No I/O: :mod:`shared.workflows.runs` reads the state,
applies the plan in guarded transactions and asks again until nothing is left to do.

Instance statuses: ``pending`` (not started, or reset by a resume), ``queued``/``running`` (its child job
is), ``retrying`` (its child failed and a retry is due at ``not_before``), ``succeeded``, ``failed`` (retries
exhausted). A task's status is its instance's, or for a fan-out the summary of its items; a task that
cannot run because a task it depends on failed or was skipped is ``skipped`` (derived, never stored).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from shared.workflows.model import TaskDefinition, WorkflowDefinition


class InstanceStatus(StrEnum):
    PENDING = "pending"
    QUEUED = "queued"
    RUNNING = "running"
    RETRYING = "retrying"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class TaskStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"


ACTIVE = frozenset({InstanceStatus.QUEUED, InstanceStatus.RUNNING})


class Verdict(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


@dataclass(frozen=True)
class Instance:
    """One task instance's state (``item_index`` -1 for a plain task)."""

    task_id: str
    item_index: int
    status: InstanceStatus
    attempt: int = 0
    not_before: datetime | None = None


@dataclass(frozen=True)
class Plan:
    """What to do now: fan-out tasks to expand, instances to start (each at ``attempt + 1``), the run's
    verdict, and when the earliest retry falls due (None: no retry waiting)."""

    expand: tuple[str, ...]
    start: tuple[Instance, ...]
    verdict: Verdict
    retry_due_at: datetime | None = None

    @property
    def has_work(self) -> bool:
        return bool(self.expand or self.start)


def task_statuses(
    definition: WorkflowDefinition, instances: Iterable[Instance], fanout: Mapping[str, Any]
) -> dict[str, TaskStatus]:
    """Each task's status, in definition order (tasks are listed after their dependencies or not: the
    skip is propagated to a fixed point)."""
    by_task: dict[str, list[Instance]] = {t.id: [] for t in definition.tasks}
    for instance in instances:
        by_task.setdefault(instance.task_id, []).append(instance)
    statuses = {t.id: _own_status(t, by_task[t.id], fanout) for t in definition.tasks}
    changed = True
    while changed:
        changed = False
        for task in definition.tasks:
            if statuses[task.id] is TaskStatus.PENDING and any(
                statuses[d] in (TaskStatus.FAILED, TaskStatus.SKIPPED) for d in task.depends_on
            ):
                statuses[task.id] = TaskStatus.SKIPPED
                changed = True
    return statuses


def _own_status(task: TaskDefinition, instances: list[Instance], fanout: Mapping[str, Any]) -> TaskStatus:
    if task.is_fanout:
        expanded = fanout.get(task.id)
        if expanded is None:
            return TaskStatus.PENDING
        if not isinstance(expanded, int):  # the expansion itself failed (its error is stored)
            return TaskStatus.FAILED
    if not instances:
        return TaskStatus.SUCCEEDED if task.is_fanout else TaskStatus.PENDING
    seen = {i.status for i in instances}
    if InstanceStatus.FAILED in seen:
        return TaskStatus.FAILED
    if seen == {InstanceStatus.SUCCEEDED}:
        return TaskStatus.SUCCEEDED
    if seen == {InstanceStatus.PENDING}:
        return TaskStatus.PENDING
    return TaskStatus.RUNNING


def plan(
    definition: WorkflowDefinition, instances: list[Instance], fanout: Mapping[str, Any], now: datetime
) -> Plan:
    """What to do next with a run in this state."""
    statuses = task_statuses(definition, instances, fanout)
    if all(s is TaskStatus.SUCCEEDED for s in statuses.values()):
        return Plan((), (), Verdict.SUCCEEDED)
    runnable = {
        t.id
        for t in definition.tasks
        if statuses[t.id] in (TaskStatus.PENDING, TaskStatus.RUNNING)
        and all(statuses[d] is TaskStatus.SUCCEEDED for d in t.depends_on)
    }
    expand = tuple(t.id for t in definition.tasks if t.id in runnable and t.is_fanout and t.id not in fanout)
    order = {t.id: n for n, t in enumerate(definition.tasks)}
    candidates = sorted(
        (
            i
            for i in instances
            if i.task_id in runnable
            and (
                i.status is InstanceStatus.PENDING
                or (i.status is InstanceStatus.RETRYING and (i.not_before is None or i.not_before <= now))
            )
        ),
        key=lambda i: (order.get(i.task_id, 0), i.item_index),
    )
    active = sum(1 for i in instances if i.status in ACTIVE)
    start = tuple(candidates[: max(definition.max_active_tasks - active, 0)])
    waiting_retries = [
        i.not_before
        for i in instances
        if i.status is InstanceStatus.RETRYING and i.not_before is not None and i.not_before > now
    ]
    retry_due_at = min(waiting_retries, default=None)
    is_stuck = not (expand or start or active or waiting_retries)
    verdict = Verdict.FAILED if is_stuck else Verdict.RUNNING
    return Plan(expand, start, verdict, retry_due_at)


def after_child_ended(
    task: TaskDefinition, attempt: int, *, succeeded: bool, now: datetime
) -> tuple[InstanceStatus, datetime | None]:
    """An instance's status once the child of task attempt ``attempt`` ended, and when it may run again."""
    if succeeded:
        return InstanceStatus.SUCCEEDED, None
    if attempt <= task.retries:
        return InstanceStatus.RETRYING, now + timedelta(seconds=task.retry_delay_seconds)
    return InstanceStatus.FAILED, None
