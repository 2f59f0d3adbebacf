"""One attempt of a workflow job: bring the run up to date with its children, expand ready fan-outs,
start ready task instances as child pipeline jobs, and say whether the run is done or waits.

Starting an instance is one transaction: a guarded ``UPDATE`` moves its task attempt from n-1 to n (and
checks the workflow job is not being cancelled), and the child job row is inserted with it; the messages
are published after the commit. A worker killed anywhere in between leaves either no child (the next
attempt starts it) or a committed child (the next attempt sees it, and the sweep publishes it if its
message was lost): a task attempt never has two children.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from shared.db.base import utcnow
from shared.errors import MimirError
from shared.jobs import service as jobs
from shared.jobs.kinds import JobOutcome, RunningJob
from shared.jobs.records import JobRecord
from shared.jobs.status import JobStatus, StepStatus, TriggeredBy
from shared.jobs.targets import RunTarget, stored_target
from shared.observability import metrics
from shared.observability.context import current_request_id
from shared.pipelines import service as pipelines
from shared.pipelines.job_kind import PIPELINE_KIND
from shared.pipelines.validation import check_inputs_given, load_single_pipeline
from shared.workflows import dag
from shared.workflows.context import resolve_items
from shared.workflows.dag import InstanceStatus, TaskStatus, Verdict
from shared.workflows.model import NO_ITEM, TaskDefinition
from shared.workflows.records import WorkflowRunRecord, WorkflowTaskRunRecord
from shared.workflows.state import RunState, ensure_run, instance_key, read_state, sync_children

# A waiting run is looked at again after this long even if no child wakes it (a lost wake-up's cost).
RECHECK_SECONDS = 30.0
MAX_ROUNDS = 20


def advance_workflow(job: RunningJob) -> JobOutcome:
    """Advance the run as far as it goes now; its outcome (done, or waiting for its children)."""
    db = job.services.db
    ensure_run(db, job.job_id, job.spec)
    state = read_state(db, job.job_id)
    plan = dag.plan(state.definition, state.instances, state.fanout, utcnow())
    for _ in range(MAX_ROUNDS):
        job.raise_if_cancelled()
        now = utcnow()
        if sync_children(db, state, now):
            state = read_state(db, job.job_id)
        plan = dag.plan(state.definition, state.instances, state.fanout, now)
        if not plan.has_work:
            break
        for task_id in plan.expand:
            _expand(job, state, state.definition.task(task_id), now)
        if plan.start:
            _start(job, state, plan.start, now)
        state = read_state(db, job.job_id)
    return _outcome(job, state, plan)


def _expand(job: RunningJob, state: RunState, task: TaskDefinition, now: datetime) -> None:
    """Give a ready fan-out task one pending instance per item (or record why its items are unusable)."""
    run = state.run
    try:
        items = resolve_items(task, job.input)
    except MimirError as exc:
        _set_fanout(job, run, task.id, {"error": exc.message}, [])
        job.log("ERROR", f"task {task.id}: {exc.message}", is_kept=True)
        return
    rows = [
        WorkflowTaskRunRecord(
            job_id=run.job_id,
            task_id=task.id,
            item_index=index,
            item=item,
            status=InstanceStatus.PENDING.value,
            updated_at=now,
        )
        for index, item in enumerate(items)
    ]
    _set_fanout(job, run, task.id, len(items), rows)
    job.log("INFO", f"task {task.id}: fan-out of {len(items)} item(s)")


def _set_fanout(job: RunningJob, run: WorkflowRunRecord, task_id: str, value: Any, rows: list[Any]) -> None:
    fanout = {**(run.fanout or {}), task_id: value}
    try:
        with job.services.db.session() as session:
            session.add_all(rows)
            session.execute(
                update(WorkflowRunRecord).where(WorkflowRunRecord.job_id == run.job_id).values(fanout=fanout)
            )
    except IntegrityError:  # expanded already by an attempt thought dead; its rows stand
        pass


def _start(job: RunningJob, state: RunState, starting: tuple[dag.Instance, ...], now: datetime) -> None:
    """Start each instance's next task attempt as a child pipeline job (see the module's docstring)."""
    runtime = job.services
    pipeline_kind = runtime.kinds.get(PIPELINE_KIND)
    rows = {(r.task_id, r.item_index): r for r in state.rows}
    targets: dict[Any, RunTarget | MimirError] = {}
    planned: list[tuple[dag.Instance, WorkflowTaskRunRecord, JobRecord | str]] = []
    for instance in starting:
        row = rows[(instance.task_id, instance.item_index)]
        task = state.definition.task(instance.task_id)
        context = child_context(job.input, task, row)
        target = _target(job, task, context, targets)
        if isinstance(target, MimirError):
            planned.append((instance, row, target.message))
            continue
        request = replace(target.job_request(context), parent_job_id=job.job_id)
        child = jobs.new_job(
            pipeline_kind, request, triggered_by=TriggeredBy.WORKFLOW, request_id=current_request_id()
        )
        planned.append((instance, row, child))
    started = _commit_starts(job, state, planned, now)
    if runtime.publish is not None:
        for child in started:
            runtime.publish(child.id, pipeline_kind.queue)
            metrics.job_enqueued(child.pipeline_name, TriggeredBy.WORKFLOW.value)
    for child in started:
        job.log("INFO", f"task {child.input_context.get('workflow_task')}: started job {child.id}")


def _commit_starts(
    job: RunningJob,
    state: RunState,
    planned: list[tuple[dag.Instance, WorkflowTaskRunRecord, JobRecord | str]],
    now: datetime,
) -> list[JobRecord]:
    started: list[JobRecord] = []
    with job.services.db.session() as session:
        # The parent must not be cancelled: cancel_job updates this row first, then cancels the children
        # it finds, so a child committed here is either seen by that cancel or never written.
        guard = session.execute(
            update(JobRecord)
            .where(JobRecord.id == job.job_id, JobRecord.cancel_requested.is_(False))
            .values(updated_at=now)
        )
        if guard.rowcount != 1:
            return []
        for instance, row, child in planned:
            attempt = instance.attempt + 1
            values: dict[str, Any] = {"attempt": attempt, "not_before": None, "updated_at": now}
            if isinstance(
                child, str
            ):  # the task cannot run now (its pipeline is gone or refuses the context)
                task = state.definition.task(row.task_id)
                status, not_before = dag.after_child_ended(task, attempt, succeeded=False, now=now)
                values.update(status=status.value, not_before=not_before, error=child, child_job_id=None)
            else:
                values.update(status=InstanceStatus.QUEUED.value, error=None, child_job_id=child.id)
            moved = session.execute(
                update(WorkflowTaskRunRecord)
                .where(
                    *instance_key(row),
                    WorkflowTaskRunRecord.attempt == instance.attempt,
                    WorkflowTaskRunRecord.status.in_(
                        [InstanceStatus.PENDING.value, InstanceStatus.RETRYING.value]
                    ),
                )
                .values(**values)
            )
            if moved.rowcount == 1 and not isinstance(child, str):
                session.add(child)
                started.append(child)
    return started


def child_context(
    run_input: dict[str, Any], task: TaskDefinition, row: WorkflowTaskRunRecord
) -> dict[str, Any]:
    """A child's input: the run's input, the task's context, its item (fan-out), and where it belongs."""
    context = {**run_input, **task.context, "workflow_task": task.id}
    if row.item_index != NO_ITEM:
        context["item"] = row.item
        context["item_index"] = row.item_index
    return context


def _target(
    job: RunningJob, task: TaskDefinition, context: dict[str, Any], cache: dict[Any, RunTarget | MimirError]
) -> RunTarget | MimirError:
    """The pipeline a task runs now (a stored one at its current revision), or why it cannot run."""
    key = (task.id, tuple(sorted(context)))
    if key not in cache:
        try:
            if task.pipeline is not None:
                target = stored_target(pipelines.get_pipeline_by_name(job.services.db, task.pipeline))
            else:
                definition = load_single_pipeline(
                    str(task.pipeline_yaml), job.services.registry, context_keys=list(context)
                )
                target = RunTarget(definition)
            check_inputs_given(target.definition, context)
            cache[key] = target
        except MimirError as exc:
            cache[key] = exc
    return cache[key]


def _outcome(job: RunningJob, state: RunState, plan: dag.Plan) -> JobOutcome:
    statuses = dag.task_statuses(state.definition, state.instances, state.fanout)
    steps = task_steps(state, statuses)
    done = sum(s in (TaskStatus.SUCCEEDED, TaskStatus.FAILED, TaskStatus.SKIPPED) for s in statuses.values())
    counts = {s.value: sum(v is s for v in statuses.values()) for s in TaskStatus if s in statuses.values()}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items())
    if plan.verdict is Verdict.SUCCEEDED:
        return JobOutcome(
            JobStatus.SUCCEEDED, output=run_output(state, statuses), steps=steps, summary=summary
        )
    if plan.verdict is Verdict.FAILED:
        failed = [t for t, s in statuses.items() if s is TaskStatus.FAILED]
        skipped = [t for t, s in statuses.items() if s is TaskStatus.SKIPPED]
        errors: dict[str, str | None] = {
            r.task_id: r.error for r in state.rows if r.status == InstanceStatus.FAILED.value and r.error
        }
        for task_id, value in state.fanout.items():
            if isinstance(value, dict):
                errors.setdefault(task_id, value.get("error"))
        detail = "; ".join(f"{t}: {errors.get(t) or 'failed'}" for t in failed)
        error = f"task(s) failed: {detail}" + (f"; skipped: {', '.join(skipped)}" if skipped else "")
        return JobOutcome(
            JobStatus.FAILED,
            output=run_output(state, statuses),
            steps=steps,
            error=error[:4000],
            summary=summary,
        )
    wait = RECHECK_SECONDS
    if plan.retry_due_at is not None:
        wait = min(wait, max((plan.retry_due_at - utcnow()).total_seconds(), 0.05))
    return JobOutcome.waiting(wait, progress=done / len(statuses), summary=summary)


def task_steps(state: RunState, statuses: dict[str, TaskStatus]) -> list[dict[str, Any]]:
    """The job's step records: one per task, so every job view shows a workflow's tasks."""
    step_status = {
        TaskStatus.PENDING: StepStatus.PENDING,
        TaskStatus.RUNNING: StepStatus.RUNNING,
        TaskStatus.SUCCEEDED: StepStatus.SUCCEEDED,
        TaskStatus.FAILED: StepStatus.FAILED,
        TaskStatus.SKIPPED: StepStatus.SKIPPED,
    }
    return [
        {
            "index": n,
            "name": task.id,
            "plugin": f"pipeline {task.pipeline}" if task.pipeline else "inline pipeline",
            "status": step_status[statuses[task.id]].value,
        }
        for n, task in enumerate(state.definition.tasks)
    ]


def run_output(state: RunState, statuses: dict[str, TaskStatus]) -> dict[str, Any]:
    """A finished run's output: each task's status, instance count and (plain tasks) child job."""
    tasks: dict[str, Any] = {}
    for task in state.definition.tasks:
        rows = [r for r in state.rows if r.task_id == task.id]
        entry: dict[str, Any] = {"status": statuses[task.id].value, "instances": len(rows)}
        if not task.is_fanout and rows:
            entry["job_id"] = rows[0].child_job_id
            entry["attempts"] = rows[0].attempt
        tasks[task.id] = entry
    return {"workflow": state.run.workflow_name, "revision": state.run.revision, "tasks": tasks}
