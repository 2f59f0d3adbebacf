"""Cancels and time limits reaching running jobs through the lease renewer, on a real SQLite file."""

from __future__ import annotations

import threading
import time

from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.kinds import JobKinds
from shared.jobs.runner import JobRuntime, execute_job
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus
from shared.pipelines.job_kind import pipeline_job_kind, pipeline_spec
from shared.pipelines.model import PipelineDefinition, StepDefinition
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry

NAP_THEN_NOOP = PipelineDefinition(
    name="nap",
    steps=(
        StepDefinition("nap", "Utility.sleep", {"seconds": 60}),
        StepDefinition("after", "Utility.noop"),
    ),
)


def _runtime(db: Database, kinds: JobKinds, **limits: float) -> JobRuntime:
    kinds.add(pipeline_job_kind())
    return JobRuntime(
        db=db,
        registry=PluginRegistry.default(include_entry_points=False),
        env=RunEnvironment(step_timeout_seconds=limits.pop("step_timeout_seconds", None)),
        lease_seconds=30,  # renewals every 10 s: a cancel must not need one
        kinds=kinds,
        **limits,
    )


def _pipeline_job(db: Database, runtime: JobRuntime) -> str:
    request = JobRequest(kind="pipeline", spec=pipeline_spec(NAP_THEN_NOOP))
    return service.create_job(db, runtime.kinds.get("pipeline"), request).id


def _start(runtime: JobRuntime, job_id: str) -> tuple[threading.Thread, list[JobStatus | None]]:
    result: list[JobStatus | None] = []
    runner = threading.Thread(target=lambda: result.append(execute_job(runtime, job_id, "w1")))
    runner.start()
    while service.get_job(runtime.db, job_id).status != "running":
        time.sleep(0.01)
    return runner, result


def test_a_cancel_ends_a_sleeping_step_within_a_second_and_the_next_step_never_starts(
    db: Database, kinds: JobKinds
) -> None:
    runtime = _runtime(db, kinds)
    job_id = _pipeline_job(db, runtime)
    runner, result = _start(runtime, job_id)
    time.sleep(0.6)  # past the first tick, so the job is polled like any long one
    asked = time.monotonic()
    service.cancel_job(db, job_id)
    runner.join(timeout=5)
    assert time.monotonic() - asked < 1.0
    assert result == [JobStatus.CANCELLED]
    job = service.get_job(db, job_id)
    assert (job.status, job.error) == ("cancelled", "cancelled")
    assert [s["status"] for s in job.steps] == ["cancelled", "skipped"]


def test_a_step_over_the_step_time_limit_fails_the_job_naming_the_limit(
    db: Database, kinds: JobKinds
) -> None:
    runtime = _runtime(db, kinds, step_timeout_seconds=0.5)
    job_id = _pipeline_job(db, runtime)
    assert execute_job(runtime, job_id, "w1") is JobStatus.FAILED
    assert service.get_job(db, job_id).error == (
        "step 0 (nap) failed: the step ran longer than its limit of 0.5s (plugins.step_timeout_seconds)"
    )


def test_a_job_over_the_job_time_limit_fails_naming_the_limit(db: Database, kinds: JobKinds) -> None:
    runtime = _runtime(db, kinds, job_timeout_seconds=0.5)
    job_id = _pipeline_job(db, runtime)
    started = time.monotonic()
    assert execute_job(runtime, job_id, "w1") is JobStatus.FAILED
    assert time.monotonic() - started < 1.5
    assert service.get_job(db, job_id).error == (
        "step 0 (nap) failed: the job ran longer than its limit of 0.5s (queue.job_timeout_seconds)"
    )


def test_a_kind_that_polls_for_cancels_fails_at_the_job_time_limit(db: Database, kinds: JobKinds) -> None:
    runtime = _runtime(db, kinds, job_timeout_seconds=0.3)
    job_id = service.create_job(
        db, kinds.get("echo"), JobRequest(kind="echo", spec={"wait_for_cancel": True})
    ).id
    assert execute_job(runtime, job_id, "w1") is JobStatus.FAILED
    assert (
        service.get_job(db, job_id).error
        == "the job ran longer than its limit of 0.3s (queue.job_timeout_seconds)"
    )


def test_polling_for_cancels_is_one_cheap_query_for_all_running_jobs(db: Database, kinds: JobKinds) -> None:
    runtime = _runtime(db, kinds)
    ids = [_pipeline_job(db, runtime) for _ in range(20)]
    service.cancel_job(db, ids[3])
    assert service.cancel_requested_among(db, ids) == {ids[3]}
    started = time.perf_counter()
    for _ in range(200):
        service.cancel_requested_among(db, ids)
    assert (time.perf_counter() - started) / 200 < 0.005
