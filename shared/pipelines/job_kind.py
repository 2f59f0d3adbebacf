"""The pipeline job kind: a job whose spec is a pipeline definition, run step by step by the engine.

Its runner adapts :func:`shared.pipelines.engine.run_pipeline` to the job machinery: each step's start and
end becomes progress (the per-step records) and a log line; a cancellation or a lost lease stops the run
before the next step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from shared.jobs.kinds import JobKind, JobOutcome, RunningJob
from shared.jobs.status import JobStatus, StepStatus
from shared.observability import metrics
from shared.observability.context import step_var
from shared.pipelines.engine import RunResult, StepRecord, run_pipeline
from shared.pipelines.model import PipelineDefinition

if TYPE_CHECKING:
    from shared.jobs.runner import JobRuntime

PIPELINE_KIND = "pipeline"
PIPELINE_QUEUE = "mimir.pipelines"


def pipeline_spec(definition: PipelineDefinition) -> dict[str, Any]:
    """The spec of a job running ``definition`` (a snapshot: later edits of the pipeline don't change it)."""
    return {"definition": definition.to_dict()}


def pending_steps(definition: PipelineDefinition) -> list[dict[str, Any]]:
    """The step records a queued run shows before it starts."""
    return [
        {"index": i, "name": s.name, "plugin": s.plugin, "status": StepStatus.PENDING.value}
        for i, s in enumerate(definition.steps)
    ]


def pipeline_label(spec: Mapping[str, Any]) -> str:
    """A pipeline job is shown by its pipeline's name."""
    definition = spec.get("definition")
    return str(definition.get("name") or PIPELINE_KIND) if isinstance(definition, Mapping) else PIPELINE_KIND


def run_pipeline_job(job: RunningJob) -> JobOutcome:
    """Run the pipeline in the job's spec over its input context."""
    runtime: JobRuntime = job.services
    definition = PipelineDefinition.from_dict(job.spec["definition"])
    result = run_pipeline(
        definition, runtime.registry, context=job.input, env=runtime.env, observer=_observer(job)
    )
    _log_ended_steps(job, result)
    metrics.steps_finished(definition.name, result.steps)
    done = sum(1 for r in result.steps if r.status == StepStatus.SUCCEEDED)
    return JobOutcome(
        status=_status_of(result),
        output=result.context,
        steps=[r.to_dict() for r in result.steps],
        error=result.error,
        summary=f"{done} of {len(result.steps)} steps",
    )


def pipeline_job_kind() -> JobKind:
    """The pipeline kind, as the pipelines slice installs it."""
    return JobKind(
        name=PIPELINE_KIND,
        queue=PIPELINE_QUEUE,
        run=run_pipeline_job,
        label=pipeline_label,
        is_schedulable=True,
        description="a pipeline run: its steps in order over one context",
    )


def _observer(job: RunningJob) -> Callable[[StepRecord, list[StepRecord]], None]:
    def observe(record: StepRecord, records: list[StepRecord]) -> None:
        job.raise_if_cancelled()
        _log_step(job, record)
        done = sum(1 for r in records if r.status == StepStatus.SUCCEEDED)
        job.progress(
            done / len(records),
            current_step=record.name if record.status == StepStatus.RUNNING else None,
            steps=[r.to_dict() for r in records],
        )

    return observe


def _log_step(job: RunningJob, record: StepRecord) -> None:
    where = f"step {record.index} ({record.name})"
    if record.status == StepStatus.RUNNING:
        step_var.set(record.name)  # what plugins log from here on is tagged with this step
        job.log("INFO", f"{where} started: {record.plugin}", step=record.name)
    elif record.status == StepStatus.SUCCEEDED:
        job.log("INFO", f"{where} succeeded in {_ms(record.duration_ms)}", step=record.name)


def _log_ended_steps(job: RunningJob, result: RunResult) -> None:
    for record in result.steps:
        where = f"step {record.index} ({record.name})"
        if record.status == StepStatus.FAILED:
            took = _ms(record.elapsed_ms)
            job.log("ERROR", f"{where} failed after {took}: {record.error}", step=record.name, is_kept=True)
        elif record.status == StepStatus.CANCELLED:
            job.log("WARNING", f"{where} cancelled", step=record.name, is_kept=True)


def _status_of(result: RunResult) -> JobStatus:
    if result.success:
        return JobStatus.SUCCEEDED
    return JobStatus.CANCELLED if result.cancelled else JobStatus.FAILED


def _ms(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f} ms"
