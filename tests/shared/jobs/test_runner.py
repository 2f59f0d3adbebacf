"""The generic runner with kinds defined in the test, against a real SQLite file (no broker, no workers)."""

from __future__ import annotations

import threading
import time

from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.kinds import JobKinds
from shared.jobs.logs import job_log_lines
from shared.jobs.runner import JobRuntime, execute_job
from shared.jobs.service import JobRequest
from shared.jobs.status import JobStatus
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry


def _runtime(db: Database, kinds: JobKinds) -> JobRuntime:
    registry = PluginRegistry.default(include_entry_points=False)
    return JobRuntime(db=db, registry=registry, env=RunEnvironment(), lease_seconds=0.6, kinds=kinds)


def _job(db: Database, kinds: JobKinds, kind: str = "echo", **spec: object) -> str:
    return service.create_job(db, kinds.get(kind), JobRequest(kind=kind, spec=dict(spec))).id


def test_a_kind_runner_outcome_is_recorded_with_its_output_and_log(db: Database, kinds: JobKinds) -> None:
    job_id = _job(db, kinds, message="hi")
    assert execute_job(_runtime(db, kinds), job_id, "w1") is JobStatus.SUCCEEDED
    job = service.get_job(db, job_id)
    assert (job.status, job.output_context, job.progress) == ("succeeded", {"said": "hi"}, 1.0)
    messages = [line.message for line in job_log_lines(db, job_id)]
    assert messages[0] == "echoing"
    assert messages[-1].startswith("run succeeded: said it in ")


def test_a_kind_runner_that_raises_fails_the_job_with_the_error(db: Database, kinds: JobKinds) -> None:
    job_id = _job(db, kinds, explode=True)
    assert execute_job(_runtime(db, kinds), job_id, "w1") is JobStatus.FAILED
    assert service.get_job(db, job_id).error == "RuntimeError: the kind has a bug"


def test_a_job_of_a_kind_this_process_does_not_install_fails_saying_so(db: Database, kinds: JobKinds) -> None:
    job_id = _job(db, kinds, "other")
    only_echo = JobKinds()
    only_echo.add(kinds.get("echo"))
    assert execute_job(_runtime(db, only_echo), job_id, "w1") is JobStatus.FAILED
    assert "unknown job kind 'other'" in str(service.get_job(db, job_id).error)


def test_a_cancel_reaches_a_running_kind_through_the_lease_renewal(db: Database, kinds: JobKinds) -> None:
    job_id = _job(db, kinds, wait_for_cancel=True)
    runtime = _runtime(db, kinds)
    result: list[JobStatus | None] = []
    runner = threading.Thread(target=lambda: result.append(execute_job(runtime, job_id, "w1")))
    runner.start()
    while service.get_job(db, job_id).status != "running":
        time.sleep(0.02)
    service.cancel_job(db, job_id)
    runner.join(timeout=10)
    assert result == [JobStatus.CANCELLED]
    job = service.get_job(db, job_id)
    assert (job.status, job.error, job.current_step) == ("cancelled", "cancelled", None)


def test_a_job_already_claimed_elsewhere_is_not_run(db: Database, kinds: JobKinds) -> None:
    job_id = _job(db, kinds, message="hi")
    service.claim_job(db, job_id, "other-worker", 30.0)
    assert execute_job(_runtime(db, kinds), job_id, "w1") is None
    assert service.get_job(db, job_id).worker_id == "other-worker"
