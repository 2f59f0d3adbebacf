"""The Prometheus instruments every process records into, and one-line recording calls for the domain.

Instruments are created on first use, never at import. Processes started by the CLI call
:func:`enable_multiprocess` first, so that each one (gunicorn workers, Celery pool children, beat) writes its
values to files in one shared directory, which the API's ``/metrics`` aggregates. A process that never
calls it (tests, ``mimir run``) keeps its values in memory, in :func:`local_registry`.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from shared.jobs.status import StepStatus

if TYPE_CHECKING:
    from shared.pipelines.engine import StepRecord

# prometheus-client finds the directory through this variable when it opens a process's file.
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# A pipeline name is chosen by users (inline YAML may name every run differently): past this many distinct
# names in one process, further ones are counted as "other", so the label cannot grow without bound.
MAX_PIPELINE_LABELS = 200
OTHER = "other"

HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
JOB_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
STEP_BUCKETS = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0, 10.0, 60.0, 300.0)


@dataclass(frozen=True)
class Instruments:
    """Every metric Mimir records."""

    http_requests: Counter
    http_duration: Histogram
    jobs_enqueued: Counter
    jobs_started: Counter
    jobs_finished: Counter
    job_retries: Counter
    job_duration: Histogram
    step_duration: Histogram
    schedule_fires: Counter
    recovery_actions: Counter
    api_waits_open: Gauge
    api_connections_refused: Counter


_lock = threading.Lock()
_instruments: Instruments | None = None
_registry: CollectorRegistry | None = None
_pipelines_seen: set[str] = set()


def instruments() -> Instruments:
    """This process's instruments, created on first use."""
    global _instruments, _registry
    if _instruments is not None:
        return _instruments
    with _lock:
        if _instruments is None:
            _registry = CollectorRegistry(auto_describe=True)
            _instruments = _create(_registry)
    return _instruments


def local_registry() -> CollectorRegistry:
    """The registry holding this process's in-memory values (unused in multiprocess mode)."""
    instruments()
    assert _registry is not None
    return _registry


def is_multiprocess() -> bool:
    """Whether this process writes its values to the shared metrics directory."""
    from prometheus_client import values

    return values.ValueClass is not values.MutexValue


def enable_multiprocess(directory: Path) -> None:
    """Write this process's metrics (and those of the processes it forks or starts) under ``directory``.

    Call before any instrument is used. Each process writes its own files, named by pid and host, so
    containers sharing one volume (whose pids may coincide) never write the same file.
    """
    from prometheus_client import values

    directory.mkdir(parents=True, exist_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)  # read by prometheus-client, also in child processes
    host = socket.gethostname()
    values.ValueClass = values.MultiProcessValue(
        process_identifier=lambda: process_identifier(os.getpid(), host)
    )


def process_identifier(pid: int, host: str | None = None) -> str:
    """The name a process's metric files carry (what ``mark_process_dead`` needs)."""
    return f"{pid}-{host or socket.gethostname()}"


def remove_stale_files(directory: Path) -> int:
    """Delete metric files left by earlier runs (only while no process of this installation runs)."""
    removed = 0
    for path in directory.glob("*.db"):
        path.unlink(missing_ok=True)
        removed += 1
    return removed


def mark_process_dead(pid: int, directory: Path) -> None:
    """Tell prometheus-client a process has exited (drops its live-gauge files, if any)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(process_identifier(pid), str(directory))


def pipeline_label(name: str) -> str:
    """``name`` as a metric label, or "other" once this process has seen too many pipelines."""
    if name in _pipelines_seen:
        return name
    if len(_pipelines_seen) >= MAX_PIPELINE_LABELS:
        return OTHER
    _pipelines_seen.add(name)
    return name


def http_request(method: str, route: str, status: int, seconds: float) -> None:
    """Count one HTTP request and its latency."""
    meters = instruments()
    meters.http_requests.labels(method, route, str(status)).inc()
    meters.http_duration.labels(method, route).observe(seconds)


def job_enqueued(pipeline: str, triggered_by: str) -> None:
    """Count a job put on the queue."""
    instruments().jobs_enqueued.labels(pipeline_label(pipeline), triggered_by).inc()


def job_started(pipeline: str, attempt: int) -> float:
    """Count a job attempt a worker claimed (a second attempt or later is also a retry); the monotonic
    time it started, for :func:`job_finished`."""
    meters = instruments()
    label = pipeline_label(pipeline)
    meters.jobs_started.labels(label).inc()
    if attempt > 1:
        meters.job_retries.labels(label).inc()
    return time.monotonic()


def job_finished(pipeline: str, status: str, started: float) -> None:
    """Count a finished job and the duration of the attempt that finished it (from ``started``, a
    :func:`job_started` time)."""
    meters = instruments()
    label = pipeline_label(pipeline)
    meters.jobs_finished.labels(label, status).inc()
    meters.job_duration.labels(label, status).observe(max(time.monotonic() - started, 0.0))


def steps_finished(pipeline: str, steps: Iterable[StepRecord]) -> None:
    """Observe the duration of each step of a pipeline run that ran."""
    meters = instruments()
    label = pipeline_label(pipeline)
    for step in steps:
        seconds = _step_seconds(step)
        if seconds is not None:
            meters.step_duration.labels(label, step.plugin, step.status).observe(seconds)


def _step_seconds(step: StepRecord) -> float | None:
    if step.duration_ms is None and step.status != StepStatus.FAILED:
        return None  # a step that never ran, or was cancelled while running
    elapsed = step.elapsed_ms  # a failed step has no duration, only its start and end
    return None if elapsed is None else max(elapsed / 1000, 0.0)


def schedule_fired(outcome: str, pipeline: str | None) -> None:
    """Count a schedule slot acted on (``fired`` or ``skipped``); a fired slot's job counts as enqueued."""
    instruments().schedule_fires.labels(outcome).inc()
    if pipeline is not None:
        job_enqueued(pipeline, "scheduler")


def recovery_acted(*, requeued: int, gave_up: int, republished: int) -> None:
    """Count the jobs one recovery sweep queued again (lease expired), gave up on, and republished."""
    counter = instruments().recovery_actions
    for action, count in (("requeued", requeued), ("gave_up", gave_up), ("republished", republished)):
        if count:
            counter.labels(action).inc(count)


def wait_opened() -> None:
    """Count a ``wait`` request the API holds open (until :func:`wait_closed`)."""
    instruments().api_waits_open.inc()


def wait_closed() -> None:
    """A held ``wait`` ended: answered, timed out, or its client went away."""
    instruments().api_waits_open.dec()


def connection_refused(reason: str) -> None:
    """Count a connection the API closed before reading a request (e.g. ``per_address_cap``)."""
    instruments().api_connections_refused.labels(reason).inc()


def _create(registry: CollectorRegistry) -> Instruments:
    return Instruments(
        http_requests=Counter(
            "mimir_http_requests",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=registry,
        ),
        http_duration=Histogram(
            "mimir_http_request_duration_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=HTTP_BUCKETS,
            registry=registry,
        ),
        jobs_enqueued=Counter(
            "mimir_jobs_enqueued", "Jobs put on the queue", ["pipeline", "triggered_by"], registry=registry
        ),
        jobs_started=Counter(
            "mimir_jobs_started", "Job attempts claimed by a worker", ["pipeline"], registry=registry
        ),
        jobs_finished=Counter(
            "mimir_jobs_finished", "Jobs finished, by outcome", ["pipeline", "status"], registry=registry
        ),
        job_retries=Counter(
            "mimir_job_retries",
            "Job attempts after the first (the previous worker was lost)",
            ["pipeline"],
            registry=registry,
        ),
        job_duration=Histogram(
            "mimir_job_duration_seconds",
            "Job duration from first start to finish",
            ["pipeline", "status"],
            buckets=JOB_BUCKETS,
            registry=registry,
        ),
        step_duration=Histogram(
            "mimir_step_duration_seconds",
            "Step duration",
            ["pipeline", "plugin", "status"],
            buckets=STEP_BUCKETS,
            registry=registry,
        ),
        schedule_fires=Counter(
            "mimir_schedule_fires",
            "Schedule slots acted on by the leading beat",
            ["outcome"],
            registry=registry,
        ),
        recovery_actions=Counter(
            "mimir_recovery_actions",
            "Jobs the recovery sweep requeued, gave up on or republished",
            ["action"],
            registry=registry,
        ),
        api_waits_open=Gauge(
            "mimir_api_waits_open",
            "wait requests the API processes hold open now",
            multiprocess_mode="livesum",
            registry=registry,
        ),
        api_connections_refused=Counter(
            "mimir_api_connections_refused",
            "Connections closed before a request was read, by reason",
            ["reason"],
            registry=registry,
        ),
    )
