"""Running one job attempt of any kind: claim it, keep its lease alive, call the kind's runner, record the
outcome. Everything here is the same for every kind; what a kind runs is its ``JobKind.run``."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.config import Settings
from shared.db.engine import Database
from shared.errors import JobCancelled, MimirError
from shared.jobs import service
from shared.jobs.kinds import JobKind, JobKinds, JobOutcome, UnknownJobKind
from shared.jobs.leases import LeaseRenewer, LeaseWatch, Progress
from shared.jobs.logs import JobLog, job_logging
from shared.jobs.records import JobRecord
from shared.jobs.service import Lease
from shared.jobs.status import JobStatus
from shared.observability import metrics
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry
from shared.stopping import StopSignal, TimeLimitExceeded
from shared.vectors.config import VectorConfig

log = logging.getLogger(__name__)

JOB_TIMEOUT_SETTING = "queue.job_timeout_seconds"


def _builtin_kinds() -> JobKinds:
    from shared.slices import load_platform

    return load_platform().job_kinds


@dataclass(frozen=True)
class JobRuntime:
    """What a process needs to run jobs: the database, the installed job kinds, plugins, the file/HTTP
    environment, lease timing, and how long one attempt may run (None: no limit)."""

    db: Database
    registry: PluginRegistry
    env: RunEnvironment
    lease_seconds: float
    job_timeout_seconds: float | None = None
    # Told each job that ended: its id, status and (from a worker) the finished row's columns.
    on_finished: Callable[[str, JobStatus, dict[str, Any] | None], None] | None = None
    kinds: JobKinds = field(default_factory=_builtin_kinds)
    # Sends (job id, queue) to the broker: how a finished child wakes its waiting parent, and how a kind
    # that starts jobs (workflows) publishes them; None where nothing is published (tests of the runner).
    publish: Callable[[str, str], bool] | None = None
    renewer: LeaseRenewer = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "renewer", LeaseRenewer(self.db, self.lease_seconds, self.on_finished))


def run_environment(settings: Settings) -> RunEnvironment:
    """The file and HTTP limits steps run under."""
    return RunEnvironment(
        data_dirs=tuple(p.resolve() for p in settings.resolved_file_directories),
        output_dir=settings.resolved_output_dir.resolve(),
        http_timeout_seconds=settings.http_timeout_seconds,
        http_max_bytes=settings.http_max_bytes,
        http_allow_private=settings.http_allow_private,
        http_allowlist=settings.http_allowlist,
        max_rendered_value_bytes=settings.max_rendered_value_bytes,
        max_step_output_bytes=settings.max_step_output_bytes,
        max_context_bytes=settings.max_context_bytes,
        step_timeout_seconds=settings.step_timeout_seconds,
        vectors=VectorConfig.from_settings(settings),
    )


class Attempt:
    """The :class:`shared.jobs.kinds.RunningJob` handle of one attempt: progress and cancellation travel
    through the lease renewer (no transaction per call), log lines into the job's log."""

    def __init__(
        self, runtime: JobRuntime, job: JobRecord, lease: Lease, watch: LeaseWatch, job_log: JobLog
    ) -> None:
        self._runtime = runtime
        self._job = job
        self._lease = lease
        self._watch = watch
        self._job_log = job_log
        self.steps: list[dict[str, Any]] = list(job.steps or [])

    @property
    def job_id(self) -> str:
        return self._job.id

    @property
    def kind(self) -> str:
        return self._job.kind

    @property
    def spec(self) -> dict[str, Any]:
        return dict(self._job.spec or {})

    @property
    def input(self) -> dict[str, Any]:
        return dict(self._job.input_context or {})

    @property
    def attempt(self) -> int:
        return self._lease.attempt

    @property
    def services(self) -> JobRuntime:
        return self._runtime

    @property
    def stop_signal(self) -> StopSignal:
        return self._watch.signal

    @property
    def is_cancel_requested(self) -> bool:
        return self._watch.signal.is_stopped

    def raise_if_cancelled(self) -> None:
        self._watch.signal.raise_if_stopped()

    def progress(
        self, fraction: float, *, current_step: str | None = None, steps: list[dict[str, Any]] | None = None
    ) -> None:
        # The lease renewer writes this (with the log lines collected so far) within half a second if the
        # job is still running then; a short job's only writes are its claim and its result.
        if steps is not None:
            self.steps = steps
        self._watch.unwritten = Progress(
            steps=steps, current_step=current_step, fraction=round(min(max(fraction, 0.0), 1.0), 4)
        )

    def log(self, level: str, message: str, *, step: str | None = None, is_kept: bool = False) -> None:
        self._job_log.say(level, message, step=step, is_kept=is_kept)


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
    signal = StopSignal()
    signal.limit_job(runtime.job_timeout_seconds, JOB_TIMEOUT_SETTING)
    watch = runtime.renewer.watch(lease, job_log, signal)
    attempt = Attempt(runtime, job, lease, watch, job_log)
    try:
        outcome = _outcome(runtime.kinds, attempt)
    finally:
        runtime.renewer.unwatch(watch)
    job_log.finish("waiting" if outcome.is_waiting else outcome.status.value, outcome.summary)
    if watch.is_lost:
        log.warning("job %s: lease lost during attempt %s; another worker owns it now", job.id, lease.attempt)
        return None
    if outcome.is_waiting:
        return _wait_for_children(runtime, job, lease, attempt, outcome, job_log)
    finished = service.finish_job(
        runtime.db,
        lease,
        status=outcome.status,
        steps=attempt.steps if outcome.steps is None else outcome.steps,
        output_context=outcome.output,
        error=outcome.error,
        logs=job_log.take(),
    )
    if finished is None:
        log.warning("job %s: lease lost before the result was written", job.id)
        return None
    metrics.job_finished(job.pipeline_name, outcome.status.value, started)
    if runtime.on_finished:
        runtime.on_finished(job.id, outcome.status, finished)
    if job.parent_job_id:
        wake_parent(runtime, job.parent_job_id)
    return outcome.status


def _wait_for_children(
    runtime: JobRuntime, job: JobRecord, lease: Lease, attempt: Attempt, outcome: JobOutcome, job_log: JobLog
) -> JobStatus | None:
    """Give the worker back: the job stays running, woken by a child's finish (or the sweep)."""
    assert outcome.wait_seconds is not None
    is_woken = service.wait_for_children(
        runtime.db,
        lease,
        wait_seconds=outcome.wait_seconds,
        steps=attempt.steps if outcome.steps is None else outcome.steps,
        progress=outcome.progress,
        logs=job_log.take(),
    )
    if is_woken is None:
        log.warning("job %s: lease lost before it could wait", job.id)
        return None
    if is_woken and runtime.publish is not None:  # a child finished while this attempt ran
        runtime.publish(job.id, runtime.kinds.get(job.kind).queue)
    if runtime.on_finished:
        runtime.on_finished(job.id, JobStatus.RUNNING, None)  # a progress event for live views
    return JobStatus.RUNNING


def wake_parent(runtime: JobRuntime, parent_id: str) -> None:
    """Tell a waiting parent that one of its children finished (published if it is waiting now)."""
    try:
        kind = service.wake_job(runtime.db, parent_id)
        if kind is not None and runtime.publish is not None:
            runtime.publish(parent_id, runtime.kinds.get(kind).queue)
    except Exception:  # the sweep wakes it by its recheck time anyway
        log.warning("could not wake job %s, the parent of a finished job", parent_id, exc_info=True)


def _outcome(kinds: JobKinds, attempt: Attempt) -> JobOutcome:
    """What the kind's runner returned, or the outcome its exception stands for."""
    try:
        kind: JobKind = kinds.get(attempt.kind)
    except UnknownJobKind as exc:
        # A worker consuming a queue without the slice installed: say so on the job, don't loop on it.
        return JobOutcome(JobStatus.FAILED, error=f"{exc.message}; this worker does not install it")
    try:
        outcome = kind.run(attempt)
    except JobCancelled:
        over_time = attempt.stop_signal.reason
        if isinstance(over_time, TimeLimitExceeded):  # a kind that stops on is_cancel_requested
            return JobOutcome(JobStatus.FAILED, error=over_time.message)
        return JobOutcome(JobStatus.CANCELLED, error="cancelled")
    except MimirError as exc:  # a time limit raised by raise_if_cancelled, or the kind's own refusal
        return JobOutcome(JobStatus.FAILED, error=exc.message)
    except Exception as exc:  # a kind's own bug must fail the job, not the worker
        log.exception("job %s (%s) failed", attempt.job_id, attempt.kind)
        return JobOutcome(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
    if not outcome.status.is_terminal and not outcome.is_waiting:
        return JobOutcome(JobStatus.FAILED, error=f"job kind {kind.name!r} returned status {outcome.status}")
    return outcome
