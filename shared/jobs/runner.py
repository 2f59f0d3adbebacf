"""Running one job attempt: claim it, keep its lease alive, run the engine, record the outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from shared.config import Settings
from shared.db.engine import Database
from shared.errors import JobCancelled
from shared.jobs import service
from shared.jobs.leases import LeaseRenewer, LeaseWatch, Progress
from shared.jobs.logs import JobLog, job_logging
from shared.jobs.records import JobRecord
from shared.jobs.service import Lease
from shared.jobs.status import JobStatus
from shared.observability import metrics
from shared.pipelines.engine import RunResult, StepRecord, run_pipeline
from shared.pipelines.model import PipelineDefinition
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry
from shared.vectors.config import VectorConfig

log = logging.getLogger(__name__)


class LeaseLost(JobCancelled):
    """The lease expired and another worker may own the job now: stop without writing."""


@dataclass(frozen=True)
class JobRuntime:
    """What a process needs to run jobs: the database, plugins, the file/HTTP environment, lease timing."""

    db: Database
    registry: PluginRegistry
    env: RunEnvironment
    lease_seconds: float
    on_finished: Callable[[str, JobStatus], None] | None = None
    renewer: LeaseRenewer = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "renewer", LeaseRenewer(self.db, self.lease_seconds))

    @classmethod
    def from_settings(
        cls, settings: Settings, db: Database, on_finished: Callable[[str, JobStatus], None] | None = None
    ) -> JobRuntime:
        """A runtime with the configured plugins, file directories and HTTP limits."""
        return cls(
            db=db,
            registry=PluginRegistry.default(settings.plugin_directories),
            env=run_environment(settings),
            lease_seconds=settings.lease_seconds,
            on_finished=on_finished,
        )


def run_environment(settings: Settings) -> RunEnvironment:
    """The file and HTTP limits steps run under."""
    return RunEnvironment(
        data_dirs=tuple(p.resolve() for p in settings.resolved_file_directories),
        output_dir=settings.resolved_output_dir.resolve(),
        http_timeout_seconds=settings.http_timeout_seconds,
        http_max_bytes=settings.http_max_bytes,
        http_allow_private=settings.http_allow_private,
        http_allowlist=settings.http_allowlist,
        vectors=VectorConfig.from_settings(settings),
    )


def execute_job(runtime: JobRuntime, job_id: str, worker_id: str) -> JobStatus | None:
    """Run the job if this worker can claim it; the terminal status it reached, or None if not claimed."""
    claim = service.claim_job(runtime.db, job_id, worker_id, runtime.lease_seconds)
    if claim is None:
        return None
    return run_claimed_job(runtime, claim.job, claim.lease)


def run_claimed_job(runtime: JobRuntime, job: JobRecord, lease: Lease) -> JobStatus | None:
    """Run a job this worker holds the lease of, and record how it ended (None if the lease was lost)."""
    with job_logging(job, lease.attempt) as job_log:
        return _run_attempt(runtime, job, lease, job_log)


def _run_attempt(runtime: JobRuntime, job: JobRecord, lease: Lease, job_log: JobLog) -> JobStatus | None:
    started = metrics.job_started(job.pipeline_name, lease.attempt)
    watch = runtime.renewer.watch(lease, job_log)
    try:
        result = run_pipeline(
            PipelineDefinition.from_dict(job.definition),
            runtime.registry,
            context=dict(job.input_context or {}),
            env=runtime.env,
            observer=_observer(watch, job_log),
        )
    finally:
        runtime.renewer.unwatch(watch)
    job_log.finish(result)
    if watch.is_lost:
        log.warning("job %s: lease lost during attempt %s; another worker owns it now", job.id, lease.attempt)
        return None
    status = _status_of(result)
    is_written = service.finish_job(
        runtime.db,
        lease,
        status=status,
        steps=[r.to_dict() for r in result.steps],
        output_context=result.context,
        error=result.error,
        logs=job_log.take(),
    )
    if not is_written:
        log.warning("job %s: lease lost before the result was written", job.id)
        return None
    metrics.job_finished(job.pipeline_name, status.value, started, result.steps)
    if runtime.on_finished:
        runtime.on_finished(job.id, status)
    return status


def _observer(watch: LeaseWatch, job_log: JobLog) -> Callable[[StepRecord, list[StepRecord]], None]:
    def observe(record: StepRecord, records: list[StepRecord]) -> None:
        if watch.is_lost:
            raise LeaseLost("lease lost")
        if watch.is_cancel_requested:
            raise JobCancelled("cancelled")
        job_log.observe(record)
        # The lease renewer writes this (with the log lines collected so far) within half a second if the
        # job is still running then; a short job's only writes are its claim and its result.
        done = sum(1 for r in records if r.status == "succeeded")
        watch.unwritten = Progress(
            steps=[r.to_dict() for r in records],
            current_step=record.name if record.status == "running" else None,
            fraction=round(done / len(records), 4),
        )

    return observe


def _status_of(result: RunResult) -> JobStatus:
    if result.success:
        return JobStatus.SUCCEEDED
    return JobStatus.CANCELLED if result.cancelled else JobStatus.FAILED
