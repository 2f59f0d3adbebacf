"""Running one job attempt: claim it, keep its lease alive, run the engine, record the outcome."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from shared.config import Settings
from shared.db.engine import Database
from shared.errors import JobCancelled
from shared.jobs import service
from shared.jobs.logs import JobLog, job_logging
from shared.jobs.records import JobRecord
from shared.jobs.service import Lease
from shared.jobs.status import JobStatus
from shared.pipelines.engine import RunResult, StepRecord, run_pipeline
from shared.pipelines.model import PipelineDefinition
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry

log = logging.getLogger(__name__)

PROGRESS_WRITE_INTERVAL = 0.5  # seconds; keeps per-step overhead off the database


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
    )


class _LeaseKeeper(threading.Thread):
    """Renews the lease in the background; notes loss of the lease and cancellation requests."""

    def __init__(self, runtime: JobRuntime, lease: Lease) -> None:
        super().__init__(name=f"lease-{lease.job_id[:8]}", daemon=True)
        self.runtime = runtime
        self.lease = lease
        self.stopped = threading.Event()
        self.is_lost = False
        self.is_cancel_requested = False

    def run(self) -> None:
        interval = max(self.runtime.lease_seconds / 3, 0.2)
        while not self.stopped.wait(interval):
            try:
                state = service.renew_lease(self.runtime.db, self.lease, self.runtime.lease_seconds)
            except Exception:  # the database may be briefly away; the lease still has time left
                log.warning("could not renew lease of job %s", self.lease.job_id, exc_info=True)
                continue
            self.is_lost = not state.is_held
            self.is_cancel_requested = state.is_cancel_requested
            if self.is_lost:
                return


def execute_job(runtime: JobRuntime, job_id: str, worker_id: str) -> JobStatus | None:
    """Run the job if this worker can claim it; the terminal status it reached, or None if not claimed."""
    lease = service.claim_job(runtime.db, job_id, worker_id, runtime.lease_seconds)
    if lease is None:
        return None
    job = service.get_job(runtime.db, job_id)
    return run_claimed_job(runtime, job, lease)


def run_claimed_job(runtime: JobRuntime, job: JobRecord, lease: Lease) -> JobStatus | None:
    """Run a job this worker holds the lease of, and record how it ended (None if the lease was lost)."""
    with job_logging(job, lease.attempt) as job_log:
        return _run_attempt(runtime, job, lease, job_log)


def _run_attempt(runtime: JobRuntime, job: JobRecord, lease: Lease, job_log: JobLog) -> JobStatus | None:
    keeper = _LeaseKeeper(runtime, lease)
    keeper.start()
    try:
        result = run_pipeline(
            PipelineDefinition.from_dict(job.definition),
            runtime.registry,
            context=dict(job.input_context or {}),
            env=runtime.env,
            observer=_observer(runtime, lease, keeper, job_log),
        )
    finally:
        keeper.stopped.set()
        keeper.join()
    job_log.finish(result)
    if keeper.is_lost:
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
    if runtime.on_finished:
        runtime.on_finished(job.id, status)
    return status


def _observer(
    runtime: JobRuntime, lease: Lease, keeper: _LeaseKeeper, job_log: JobLog
) -> Callable[[StepRecord, list[StepRecord]], None]:
    last_write = [0.0]

    def observe(record: StepRecord, records: list[StepRecord]) -> None:
        if keeper.is_lost:
            raise LeaseLost("lease lost")
        if keeper.is_cancel_requested:
            raise JobCancelled("cancelled")
        job_log.observe(record)
        now = time.monotonic()
        if now - last_write[0] < PROGRESS_WRITE_INTERVAL:
            return
        last_write[0] = now
        done = sum(1 for r in records if r.status == "succeeded")
        service.record_progress(
            runtime.db,
            lease,
            steps=[r.to_dict() for r in records],
            current_step=record.name if record.status == "running" else None,
            progress=round(done / len(records), 4),
            logs=job_log.take(),
        )

    return observe


def _status_of(result: RunResult) -> JobStatus:
    if result.success:
        return JobStatus.SUCCEEDED
    return JobStatus.CANCELLED if result.cancelled else JobStatus.FAILED
