"""The advance as a pure function: statuses, skips, the active cap, retries falling due, the verdict."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shared.workflows.dag import Instance, InstanceStatus, TaskStatus, Verdict, plan, task_statuses
from shared.workflows.model import NO_ITEM, TaskDefinition, WorkflowDefinition

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _chain(max_active: int = 100) -> WorkflowDefinition:
    return WorkflowDefinition(
        name="w",
        max_active_tasks=max_active,
        tasks=(
            TaskDefinition("a", pipeline="p", retries=1),
            TaskDefinition("fan", pipeline="p", depends_on=("a",), for_each="items"),
            TaskDefinition("z", pipeline="p", depends_on=("fan",)),
            TaskDefinition("free", pipeline="p"),
        ),
    )


def _i(task: str, status: InstanceStatus, index: int = NO_ITEM, **kw: object) -> Instance:
    return Instance(task, index, status, **kw)  # type: ignore[arg-type]


def test_a_failure_skips_everything_downstream_but_not_independent_tasks() -> None:
    statuses = task_statuses(
        _chain(),
        [_i("a", InstanceStatus.FAILED), _i("z", InstanceStatus.PENDING), _i("free", InstanceStatus.RUNNING)],
        {},
    )
    assert statuses == {
        "a": TaskStatus.FAILED,
        "fan": TaskStatus.SKIPPED,
        "z": TaskStatus.SKIPPED,
        "free": TaskStatus.RUNNING,
    }
    result = plan(
        _chain(),
        [_i("a", InstanceStatus.FAILED), _i("z", InstanceStatus.PENDING), _i("free", InstanceStatus.RUNNING)],
        {},
        NOW,
    )
    assert (result.verdict, result.start, result.expand) == (Verdict.RUNNING, (), ())
    done = plan(
        _chain(),
        [
            _i("a", InstanceStatus.FAILED),
            _i("z", InstanceStatus.PENDING),
            _i("free", InstanceStatus.SUCCEEDED),
        ],
        {},
        NOW,
    )
    assert done.verdict is Verdict.FAILED


def test_a_ready_fanout_is_expanded_then_its_items_start_up_to_the_active_cap() -> None:
    base = [
        _i("a", InstanceStatus.SUCCEEDED),
        _i("z", InstanceStatus.PENDING),
        _i("free", InstanceStatus.RUNNING),
    ]
    assert plan(_chain(3), base, {}, NOW).expand == ("fan",)
    items = [_i("fan", InstanceStatus.PENDING, n) for n in range(5)]
    started = plan(_chain(3), base + items, {"fan": 5}, NOW).start
    assert [(i.task_id, i.item_index) for i in started] == [("fan", 0), ("fan", 1)]  # free holds one slot


def test_an_empty_fanout_succeeds_and_a_retry_waits_until_it_is_due() -> None:
    due = NOW + timedelta(seconds=5)
    retrying = [
        _i("a", InstanceStatus.RETRYING, attempt=1, not_before=due),
        _i("z", InstanceStatus.PENDING),
        _i("free", InstanceStatus.SUCCEEDED),
    ]
    waiting = plan(_chain(), retrying, {}, NOW)
    assert (waiting.verdict, waiting.start, waiting.retry_due_at) == (Verdict.RUNNING, (), due)
    assert [i.task_id for i in plan(_chain(), retrying, {}, due).start] == ["a"]
    finished = [
        _i("a", InstanceStatus.SUCCEEDED),
        _i("z", InstanceStatus.SUCCEEDED),
        _i("free", InstanceStatus.SUCCEEDED),
    ]
    assert plan(_chain(), finished, {"fan": 0}, NOW).verdict is Verdict.SUCCEEDED
