"""Reading and writing a run's state: its row (created by the run's first attempt, copying the tasks a
resumed run already finished) and its task instances, and bringing instances up to date with their
child jobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import NotFound
from shared.jobs.records import JobRecord
from shared.jobs.status import JobStatus
from shared.workflows import service as workflows
from shared.workflows.dag import ACTIVE, Instance, InstanceStatus, after_child_ended
from shared.workflows.model import NO_ITEM, WorkflowDefinition
from shared.workflows.records import WorkflowRunRecord, WorkflowTaskRunRecord

_CHUNK = 500


@dataclass(frozen=True)
class RunState:
    """A run's definition, fan-out expansions and instances as read now."""

    run: WorkflowRunRecord
    definition: WorkflowDefinition
    rows: list[WorkflowTaskRunRecord]

    @property
    def instances(self) -> list[Instance]:
        return [as_instance(r) for r in self.rows]

    @property
    def fanout(self) -> dict[str, Any]:
        return dict(self.run.fanout or {})


def as_instance(row: WorkflowTaskRunRecord) -> Instance:
    return Instance(row.task_id, row.item_index, InstanceStatus(row.status), row.attempt, row.not_before)


def ensure_run(db: Database, job_id: str, spec: Mapping[str, Any]) -> WorkflowRunRecord:
    """The run of workflow job ``job_id``, created on its first attempt: the definition (the spec's
    revision, else the current one) is snapshotted, each plain task gets a pending instance, and a resumed
    run copies what its earlier run finished."""
    found = get_run(db, job_id)
    if found is not None:
        return found
    record = workflows.find_workflow(db, workflow_id=spec.get("workflow_id"), name=spec.get("workflow_name"))
    revision, definition = workflows.definition_at(db, record.id, spec.get("revision"))
    now = utcnow()
    kept, fanout = _kept_from(db, spec.get("resume_from"), definition)
    run = WorkflowRunRecord(
        job_id=job_id,
        workflow_id=record.id,
        workflow_name=definition.name,
        revision=revision,
        definition=definition.to_dict(),
        resumed_from=spec.get("resume_from"),
        fanout=fanout,
        created_at=now,
    )
    rows = [
        WorkflowTaskRunRecord(
            job_id=job_id,
            task_id=t.id,
            item_index=NO_ITEM,
            status=InstanceStatus.PENDING.value,
            updated_at=now,
        )
        for t in definition.tasks
        if not t.is_fanout and (t.id, NO_ITEM) not in kept
    ]
    try:
        with db.session() as session:
            session.add(run)
            session.flush()
            session.add_all(rows)
            session.add_all(_copies(job_id, kept.values(), now))
    except IntegrityError:  # another attempt (a worker thought dead) created it first
        found = get_run(db, job_id)
        if found is None:
            raise
        return found
    return run


def _kept_from(
    db: Database, earlier_job_id: str | None, definition: WorkflowDefinition
) -> tuple[dict[tuple[str, int], WorkflowTaskRunRecord], dict[str, Any]]:
    """What a resumed run keeps of the run it resumes: every succeeded instance of a task the definition
    still has, and every fan-out expansion (whose items that did not succeed run again)."""
    if earlier_job_id is None:
        return {}, {}
    earlier = get_run(db, earlier_job_id)
    if earlier is None:
        raise NotFound(f"workflow run {earlier_job_id} not found")
    task_ids = {t.id for t in definition.tasks}
    fanout_ids = {t.id for t in definition.tasks if t.is_fanout}
    fanout = {k: v for k, v in (earlier.fanout or {}).items() if k in fanout_ids and isinstance(v, int)}
    kept: dict[tuple[str, int], WorkflowTaskRunRecord] = {}
    for row in instance_rows(db, earlier_job_id):
        is_item = row.item_index != NO_ITEM
        if row.task_id not in task_ids or (is_item and row.task_id not in fanout):
            continue
        if row.status == InstanceStatus.SUCCEEDED.value or is_item:
            kept[(row.task_id, row.item_index)] = row
    return kept, fanout


def _copies(job_id: str, rows: Any, now: datetime) -> list[WorkflowTaskRunRecord]:
    copies = []
    for row in rows:
        is_done = row.status == InstanceStatus.SUCCEEDED.value
        copies.append(
            WorkflowTaskRunRecord(
                job_id=job_id,
                task_id=row.task_id,
                item_index=row.item_index,
                item=row.item,
                status=row.status if is_done else InstanceStatus.PENDING.value,
                attempt=row.attempt if is_done else 0,
                child_job_id=row.child_job_id if is_done else None,
                updated_at=now,
            )
        )
    return copies


def get_run(db: Database, job_id: str) -> WorkflowRunRecord | None:
    with db.reads() as session:
        return session.get(WorkflowRunRecord, job_id)


def instance_rows(db: Database, job_id: str) -> list[WorkflowTaskRunRecord]:
    with db.reads() as session:
        return list(
            session.execute(
                select(WorkflowTaskRunRecord)
                .where(WorkflowTaskRunRecord.job_id == job_id)
                .order_by(WorkflowTaskRunRecord.task_id, WorkflowTaskRunRecord.item_index)
            ).scalars()
        )


def read_state(db: Database, job_id: str) -> RunState:
    run = get_run(db, job_id)
    if run is None:
        raise NotFound(f"workflow run {job_id} not found")
    return RunState(run, WorkflowDefinition.from_dict(run.definition), instance_rows(db, job_id))


@dataclass(frozen=True)
class ChildEnd:
    """What a child job's row says now."""

    status: JobStatus
    error: str | None


def child_jobs(db: Database, ids: list[str]) -> dict[str, ChildEnd]:
    """The status of each of these jobs (one query per 500)."""
    found: dict[str, ChildEnd] = {}
    with db.reads() as session:
        for start in range(0, len(ids), _CHUNK):
            rows = session.execute(
                select(JobRecord.id, JobRecord.status, JobRecord.error).where(
                    JobRecord.id.in_(ids[start : start + _CHUNK])
                )
            )
            found.update({str(r[0]): ChildEnd(JobStatus(r[1]), r[2]) for r in rows})
    return found


def sync_children(db: Database, state: RunState, now: datetime) -> bool:
    """Bring active instances up to date with their child jobs (a child that ended makes its instance
    succeeded, retrying or failed); whether anything changed. Each write is guarded by the child's id, so
    a stale attempt cannot overwrite a newer one."""
    active = [r for r in state.rows if InstanceStatus(r.status) in ACTIVE and r.child_job_id]
    if not active:
        return False
    children = child_jobs(db, [str(r.child_job_id) for r in active])
    changes: list[tuple[WorkflowTaskRunRecord, dict[str, Any]]] = []
    for row in active:
        child = children.get(str(row.child_job_id))
        if child is None:
            continue
        if not child.status.is_terminal:
            status: InstanceStatus = InstanceStatus(child.status.value)
            if status.value != row.status:
                changes.append((row, {"status": status.value}))
            continue
        task = state.definition.task(row.task_id)
        status, not_before = after_child_ended(
            task, row.attempt, succeeded=child.status is JobStatus.SUCCEEDED, now=now
        )
        error = None if child.status is JobStatus.SUCCEEDED else (child.error or child.status.value)
        changes.append((row, {"status": status.value, "not_before": not_before, "error": error}))
    if not changes:
        return False
    with db.session() as session:
        for row, values in changes:
            session.execute(
                update(WorkflowTaskRunRecord)
                .where(*instance_key(row), WorkflowTaskRunRecord.child_job_id == row.child_job_id)
                .values(**values, updated_at=now)
            )
    return True


def instance_key(row: Any) -> tuple[Any, ...]:
    return (
        WorkflowTaskRunRecord.job_id == row.job_id,
        WorkflowTaskRunRecord.task_id == row.task_id,
        WorkflowTaskRunRecord.item_index == row.item_index,
    )
