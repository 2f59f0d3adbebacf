"""Runs of workflows as the API sees them: the job to enqueue (checked first, so bad input is a 4xx and
not a failed run), the job resuming a failed run, and a run's view with every task's state."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from shared.db.engine import Database
from shared.errors import Conflict, InvalidInput, MimirError, NotFound, Problem
from shared.jobs import service as jobs
from shared.jobs.records import JobRecord
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus
from shared.jobs.targets import stored_target
from shared.pipelines import service as pipelines
from shared.workflows import dag
from shared.workflows import service as workflows
from shared.workflows.context import resolve_items
from shared.workflows.dag import ACTIVE, InstanceStatus
from shared.workflows.job_kind import WORKFLOW_KIND, check_workflow_spec
from shared.workflows.model import WorkflowDefinition
from shared.workflows.records import WorkflowRunRecord, WorkflowTaskRunRecord
from shared.workflows.state import child_jobs, get_run, instance_rows
from shared.workflows.validation import WorkflowValidationError

MAX_INSTANCES_SHOWN = 200


def run_request(db: Database, workflow_id: str, context: dict[str, Any]) -> JobRequest:
    """The job running the workflow's current revision over ``context``, after checking what can be
    checked now: declared inputs given, named pipelines stored and enabled, fan-out paths lists under
    the cap (each problem names its task)."""
    record = workflows.get_workflow(db, workflow_id)
    revision, definition = workflows.definition_at(db, workflow_id, None)
    check_runnable(db, definition, context)
    spec = {"workflow_id": record.id, "workflow_name": record.name, "revision": revision}
    return JobRequest(kind=WORKFLOW_KIND, spec=check_workflow_spec(spec), context=context)


def check_runnable(db: Database, definition: WorkflowDefinition, context: Mapping[str, Any]) -> None:
    """:class:`WorkflowValidationError` listing what stops the run from starting with ``context``."""
    problems = [
        Problem(f"context.{key}", "required: the workflow declares it")
        for key in definition.inputs
        if key not in context
    ]
    for index, task in enumerate(definition.tasks):
        where = f"tasks[{index}]({task.id})"
        if task.pipeline is not None:
            try:
                stored_target(pipelines.get_pipeline_by_name(db, task.pipeline))
            except MimirError as exc:
                problems.append(Problem(f"{where}.pipeline", exc.message))
        if isinstance(task.for_each, str):
            try:
                resolve_items(task, context)
            except InvalidInput as exc:
                problems.append(Problem(f"{where}.for_each", exc.message))
    if problems:
        raise WorkflowValidationError(problems)


def resume_request(db: Database, job_id: str) -> JobRequest:
    """A new run of the same workflow (its current revision) over the same input, keeping the tasks the
    failed or cancelled run ``job_id`` finished: only its failed and skipped tasks (and a fan-out's failed
    items) run again. A terminal job never changes, so the resume is a new job."""
    job = jobs.get_job(db, job_id)
    if job.kind != WORKFLOW_KIND:
        raise NotFound(f"job {job_id} is not a workflow run")
    if job.status not in (JobStatus.FAILED.value, JobStatus.CANCELLED.value):
        raise Conflict(
            f"workflow run {job_id} is {job.status}; only a failed or cancelled run can be resumed"
        )
    run = get_run(db, job_id)
    if run is None or run.workflow_id is None:
        raise Conflict(f"workflow run {job_id} never started a task; run the workflow again instead")
    record = workflows.get_workflow(db, run.workflow_id)
    revision, definition = workflows.definition_at(db, record.id, None)
    check_runnable(db, definition, job.input_context or {})
    spec = {
        "workflow_id": record.id,
        "workflow_name": record.name,
        "revision": revision,
        "resume_from": job_id,
    }
    return JobRequest(
        kind=WORKFLOW_KIND, spec=check_workflow_spec(spec), context=dict(job.input_context or {})
    )


def list_runs(db: Database, workflow_id: str, *, limit: int, offset: int) -> tuple[list[JobRecord], int]:
    """The workflow's runs (their jobs), newest first."""
    workflows.get_workflow(db, workflow_id)
    is_run = (JobRecord.kind == WORKFLOW_KIND) & (
        JobRecord.id.in_(select(WorkflowRunRecord.job_id).where(WorkflowRunRecord.workflow_id == workflow_id))
        | (JobRecord.spec["workflow_id"].as_string() == workflow_id)  # queued, not started yet
    )
    with db.reads() as session:
        total = session.execute(select(func.count()).select_from(JobRecord).where(is_run)).scalar_one()
        rows = session.execute(
            select(JobRecord)
            .where(is_run)
            .order_by(JobRecord.created_at.desc(), JobRecord.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        return list(rows), int(total)


def run_view(db: Database, job_id: str) -> dict[str, Any]:
    """A run: its job, the workflow and revision it runs, and each task's dependencies, status and
    instances (their live status read from their child jobs)."""
    job = jobs.get_job(db, job_id)
    if job.kind != WORKFLOW_KIND:
        raise NotFound(f"job {job_id} is not a workflow run")
    run = get_run(db, job_id)
    if run is None:  # not started yet: the revision it will run
        spec = job.spec or {}
        record = workflows.find_workflow(
            db, workflow_id=spec.get("workflow_id"), name=spec.get("workflow_name")
        )
        revision, definition = workflows.definition_at(db, record.id, spec.get("revision"))
        rows: list[WorkflowTaskRunRecord] = []
        fanout: dict[str, Any] = {}
        meta = {
            "workflow_id": record.id,
            "workflow_name": record.name,
            "revision": revision,
            "resumed_from": spec.get("resume_from"),
        }
    else:
        definition = WorkflowDefinition.from_dict(run.definition)
        rows = instance_rows(db, job_id)
        fanout = dict(run.fanout or {})
        meta = {
            "workflow_id": run.workflow_id,
            "workflow_name": run.workflow_name,
            "revision": run.revision,
            "resumed_from": run.resumed_from,
        }
    instances = _live(db, rows)
    statuses = dag.task_statuses(definition, [i for _, i in instances], fanout)
    tasks = []
    for task in definition.tasks:
        mine = [(r, i) for r, i in instances if r.task_id == task.id]
        expanded = fanout.get(task.id)
        counts: dict[str, int] = {}
        for _, instance in mine:
            counts[instance.status.value] = counts.get(instance.status.value, 0) + 1
        tasks.append(
            {
                "id": task.id,
                "depends_on": list(task.depends_on),
                "pipeline": task.pipeline,
                "is_inline": task.pipeline_yaml is not None,
                "is_fanout": task.is_fanout,
                "retries": task.retries,
                "status": statuses[task.id].value,
                "error": expanded.get("error") if isinstance(expanded, dict) else _first_error(mine),
                "instance_count": len(mine),
                "instance_counts": counts,
                "instances": [
                    {
                        "item_index": row.item_index,
                        "item": row.item,
                        "status": instance.status.value,
                        "attempt": row.attempt,
                        "job_id": row.child_job_id,
                        "error": row.error,
                    }
                    for row, instance in mine[:MAX_INSTANCES_SHOWN]
                ],
            }
        )
    return {"job": job, **meta, "status": job.status, "tasks": tasks}


def _live(
    db: Database, rows: list[WorkflowTaskRunRecord]
) -> list[tuple[WorkflowTaskRunRecord, dag.Instance]]:
    """Each row with its instance as its child job says now (the run's own rows catch up only when the
    run is next advanced, and never after the run was cancelled)."""
    active = [str(r.child_job_id) for r in rows if InstanceStatus(r.status) in ACTIVE and r.child_job_id]
    children = child_jobs(db, active) if active else {}
    out = []
    for row in rows:
        status = InstanceStatus(row.status)
        child = children.get(str(row.child_job_id)) if status in ACTIVE else None
        if child is not None:
            status = {
                JobStatus.QUEUED: InstanceStatus.QUEUED,
                JobStatus.RUNNING: InstanceStatus.RUNNING,
                JobStatus.SUCCEEDED: InstanceStatus.SUCCEEDED,
            }.get(child.status, InstanceStatus.FAILED if child.status is JobStatus.FAILED else status)
        out.append((row, dag.Instance(row.task_id, row.item_index, status, row.attempt, row.not_before)))
    return out


def _first_error(mine: list[tuple[WorkflowTaskRunRecord, dag.Instance]]) -> str | None:
    return next((r.error for r, _ in mine if r.error), None)
