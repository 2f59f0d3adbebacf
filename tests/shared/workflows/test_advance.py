"""Advancing workflow runs against a real SQLite file: the test plays the broker and a worker, delivering
each published message in turn, so every step of a run can be looked at."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from shared.jobs import service as jobs
from shared.jobs.records import JobRecord
from shared.jobs.status import JobStatus
from shared.pipelines import service as pipelines
from shared.pipelines.validation import load_single_pipeline
from shared.workflows import runs
from shared.workflows.job_kind import WORKFLOW_QUEUE
from tests.shared.workflows.conftest import Stack


def _record(token: str, path: Path) -> str:
    """An inline pipeline (as a YAML string inside a flow mapping) that appends ``token`` to ``path``."""
    step = f"{{name: rec, plugin: Utility.record, config: {{token: {token}, path: {path}}}}}"
    return f'"name: {token}\\nsteps:\\n  - {step}\\n"'


def _flaky(token: str, path: Path, fail_times: int) -> str:
    return (
        f"name: {token}\nsteps:\n  - {{name: f, plugin: Utility.flaky, config: "
        f"{{token: {token}, path: '{path}', fail_times: {fail_times}}}}}\n"
    )


def _children(stack: Stack, parent: str) -> list[JobRecord]:
    with stack.db.reads() as session:
        return list(
            session.execute(
                select(JobRecord).where(JobRecord.parent_job_id == parent).order_by(JobRecord.created_at)
            ).scalars()
        )


def _tasks(stack: Stack, job_id: str) -> dict[str, str]:
    return {t["id"]: t["status"] for t in runs.run_view(stack.db, job_id)["tasks"]}


def test_a_diamond_runs_in_dependency_order_without_holding_a_worker(stack: Stack, tmp_path: Path) -> None:
    log = tmp_path / "order.log"
    workflow = stack.store(
        f"""
name: diamond
tasks:
  - {{id: a, pipeline_yaml: {_record("a", log)}}}
  - {{id: b, pipeline_yaml: {_record("b", log)}, depends_on: [a]}}
  - {{id: c, pipeline_yaml: {_record("c", log)}, depends_on: [a]}}
  - {{id: d, pipeline_yaml: {_record("d", log)}, depends_on: [b, c]}}
"""
    )
    run = stack.run(workflow)
    stack.deliver()  # the first advance starts a only, and gives its worker back
    parent = jobs.get_job(stack.db, run)
    assert (parent.status, parent.worker_id) == ("running", None)
    assert [c.input_context["workflow_task"] for c in _children(stack, run)] == ["a"]
    assert _tasks(stack, run) == {"a": "running", "b": "pending", "c": "pending", "d": "pending"}
    stack.drain()
    assert stack.status(run) is JobStatus.SUCCEEDED
    order = [line.split()[0] for line in log.read_text().splitlines()]
    assert order[0] == "a" and order[-1] == "d" and sorted(order[1:3]) == ["b", "c"]
    children = _children(stack, run)
    assert len(children) == 4 and {c.status for c in children} == {"succeeded"}
    assert {c.triggered_by for c in children} == {"workflow"}
    output = jobs.get_job(stack.db, run).output_context
    assert output is not None and output["tasks"]["d"]["status"] == "succeeded"


def test_a_fanout_over_a_context_list_makes_one_child_per_item(stack: Stack, tmp_path: Path) -> None:
    workflow = stack.store(
        f"""
name: fan
inputs: [regions]
tasks:
  - {{id: each, pipeline_yaml: {_record("each", tmp_path / "f")}, for_each: regions, context: {{mode: x}}}}
  - {{id: after, pipeline_yaml: {_record("after", tmp_path / "fan.log")}, depends_on: [each]}}
"""
    )
    run = stack.run(workflow, {"regions": ["eu", "us", "asia"]})
    stack.drain()
    assert stack.status(run) is JobStatus.SUCCEEDED
    children = [c for c in _children(stack, run) if c.input_context["workflow_task"] == "each"]
    assert sorted((c.input_context["item_index"], c.input_context["item"]) for c in children) == [
        (0, "eu"),
        (1, "us"),
        (2, "asia"),
    ]
    assert {c.input_context["mode"] for c in children} == {"x"}
    view = runs.run_view(stack.db, run)["tasks"][0]
    assert (view["instance_count"], view["instance_counts"]) == (3, {"succeeded": 3})


def test_a_failed_task_is_retried_and_then_succeeds(stack: Stack, tmp_path: Path) -> None:
    flaky = tmp_path / "flaky.log"
    pipelines.create_pipeline(
        stack.db, load_single_pipeline(_flaky("f", flaky, 1), stack.runtime.registry), None
    )
    workflow = stack.store("name: retry\ntasks:\n  - {id: t, pipeline: f, retries: 1}\n")
    run = stack.run(workflow)
    stack.drain()
    assert stack.status(run) is JobStatus.SUCCEEDED
    children = _children(stack, run)
    assert [c.status for c in children] == ["failed", "succeeded"]
    [instance] = runs.run_view(stack.db, run)["tasks"][0]["instances"]
    assert (instance["attempt"], instance["job_id"]) == (2, children[1].id)


def test_a_failure_skips_downstream_and_a_resume_reruns_only_what_did_not_succeed(
    stack: Stack, tmp_path: Path
) -> None:
    log, flaky = tmp_path / "runs.log", tmp_path / "flaky.log"
    registry = stack.runtime.registry
    stored = pipelines.create_pipeline(
        stack.db, load_single_pipeline(_flaky("b", flaky, 100), registry), None
    )
    workflow = stack.store(
        f"""
name: broken
tasks:
  - {{id: a, pipeline_yaml: {_record("a", log)}}}
  - {{id: b, pipeline: b, depends_on: [a]}}
  - {{id: c, pipeline_yaml: {_record("c", log)}, depends_on: [a]}}
  - {{id: d, pipeline_yaml: {_record("d", log)}, depends_on: [b, c]}}
"""
    )
    run = stack.run(workflow)
    stack.drain()
    failed = jobs.get_job(stack.db, run)
    assert failed.status == "failed"
    assert failed.error is not None and failed.error.startswith("task(s) failed: b: ")
    assert failed.error.endswith("; skipped: d")
    assert _tasks(stack, run) == {"a": "succeeded", "b": "failed", "c": "succeeded", "d": "skipped"}

    pipelines.update_pipeline(
        stack.db, stored.id, load_single_pipeline(_flaky("b", flaky, 0), registry), None
    )
    request = runs.resume_request(stack.db, run)
    resumed = jobs.create_job(stack.db, stack.runtime.kinds.get("workflow"), request)
    stack.publish(resumed.id, WORKFLOW_QUEUE)
    stack.drain()
    assert stack.status(resumed.id) is JobStatus.SUCCEEDED
    assert [c.input_context["workflow_task"] for c in _children(stack, resumed.id)] == ["b", "d"]
    assert [line.split()[0] for line in log.read_text().splitlines()].count("a") == 1
    view = runs.run_view(stack.db, resumed.id)
    assert view["resumed_from"] == run
    assert {t["id"]: t["status"] for t in view["tasks"]} == dict.fromkeys("abcd", "succeeded")


def test_a_child_finishing_while_its_parent_is_advanced_wakes_it_afterwards(stack: Stack) -> None:
    kind = stack.runtime.kinds.get("workflow")
    parent = jobs.create_job(stack.db, kind, jobs.JobRequest(kind="workflow", spec={"workflow_id": "x"}))
    claim = jobs.claim_job(stack.db, parent.id, "w1", 5.0)
    assert claim is not None
    assert jobs.wake_job(stack.db, parent.id) is None  # held: the request waits on the row
    assert jobs.wait_for_children(stack.db, claim.lease, wait_seconds=30, steps=[], progress=0.5) is True
    assert jobs.wake_job(stack.db, parent.id) == "workflow"  # waiting now: the caller publishes it
    again = jobs.claim_job(stack.db, parent.id, "w2", 5.0)
    assert again is not None and again.job.wake_requested is False and again.lease.attempt == 2


def test_a_stale_advance_cannot_start_a_task_attempt_twice(stack: Stack, tmp_path: Path) -> None:
    from shared.db.base import utcnow
    from shared.workflows import advance, dag, state

    workflow = stack.store(
        f"name: once\ntasks:\n  - {{id: a, pipeline_yaml: {_record('a', tmp_path / 'a.log')}}}\n"
    )
    run = stack.run(workflow)
    job = jobs.get_job(stack.db, run)
    state.ensure_run(stack.db, run, job.spec)
    stale = state.read_state(stack.db, run)
    plan = dag.plan(stale.definition, stale.instances, stale.fanout, utcnow())

    class Handle:  # the parts of a RunningJob the start uses
        job_id, services, input = run, stack.runtime, {}

        def log(self, *args: object, **kwargs: object) -> None:
            pass

    for _ in range(2):  # a worker thought dead and its successor, both from the same reading
        advance._start(Handle(), stale, plan.start, utcnow())  # type: ignore[arg-type]
    assert len(_children(stack, run)) == 1


def test_cancelling_a_waiting_workflow_cancels_it_and_its_children(stack: Stack, tmp_path: Path) -> None:
    log = tmp_path / "c.log"
    workflow = stack.store(
        f"name: stop\ntasks:\n  - {{id: a, pipeline_yaml: {_record('a', log)}, for_each: [1, 2]}}\n"
    )
    run = stack.run(workflow)
    stack.deliver(WORKFLOW_QUEUE)
    assert len(_children(stack, run)) == 2
    cancelled = jobs.cancel_job(stack.db, run)
    assert (cancelled.status, cancelled.error) == ("cancelled", "cancelled")
    assert {c.status for c in _children(stack, run)} == {"cancelled"}
    stack.drain()  # the children's messages find them cancelled: nothing runs
    assert not log.exists()
