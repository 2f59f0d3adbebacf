"""Workflows run by real worker processes through Redis: a diamond in order with one worker slot for
several runs (a waiting run holds no worker), a fan-out, a retried task, a failure resumed after a fix, a
worker SIGKILLed mid-run, and bad input refused naming the task."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mimir.testing.recording import runs_per_token
from mimir.testing.stack import WorkerPool

pytestmark = pytest.mark.integration


def _record(token: str, path: Path, sleep: float = 0.0) -> str:
    step = (
        f"{{name: rec, plugin: Utility.record, config: {{token: {token}, path: '{path}', sleep: {sleep}}}}}"
    )
    return f"name: {token}\nsteps:\n  - {step}\n"


def _flaky(token: str, path: Path, fail_times: int) -> str:
    config = f"{{token: {token}, path: '{path}', fail_times: {fail_times}}}"
    return f"name: {token}\nsteps:\n  - {{name: f, plugin: Utility.flaky, config: {config}}}\n"


def _store_pipeline(client: FlaskClient, text: str) -> str:
    response = client.post("/api/v1/pipelines", json={"pipeline_yaml": text})
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def _workflow(client: FlaskClient, text: str) -> str:
    response = client.post("/api/v1/workflows", json={"workflow_yaml": text})
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def _run(client: FlaskClient, workflow_id: str, context: dict | None = None) -> str:
    response = client.post(f"/api/v1/workflows/{workflow_id}/run", json={"context": context or {}})
    assert response.status_code == 202, response.json
    assert response.json["kind"] == "workflow"
    return str(response.json["job_id"])


def _wait(client: FlaskClient, job_id: str, timeout: str = "90s") -> dict:
    response = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout={timeout}")
    assert response.status_code == 200, response.json
    return dict(response.json)


def _tasks(client: FlaskClient, job_id: str) -> dict[str, dict]:
    view = client.get(f"/api/v1/workflows/runs/{job_id}")
    assert view.status_code == 200, view.json
    return {t["id"]: t for t in view.json["tasks"]}


def _diamond(log: Path, name: str = "diamond", sleep: float = 0.0) -> str:
    tasks = [("a", []), ("b", ["a"]), ("c", ["a"]), ("d", ["b", "c"])]
    lines = [
        f"  - id: {t}\n    depends_on: {deps}\n    pipeline_yaml: |\n"
        + "".join(f"      {line}\n" for line in _record(f"{name}-{t}", log, sleep).splitlines())
        for t, deps in tasks
    ]
    return f"name: {name}\ntasks:\n" + "".join(lines)


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_diamonds_run_in_order_on_one_worker_slot_because_waiting_runs_hold_none(
    client: FlaskClient, workers: WorkerPool, tmp_path: Path
) -> None:
    workers.start(1, concurrency=1)
    log = tmp_path / "order.log"
    job_ids = [_run(client, _workflow(client, _diamond(log, f"d{n}"))) for n in range(3)]
    for job_id in job_ids:
        job = _wait(client, job_id)
        assert job["status"] == "succeeded", job
        assert [s["status"] for s in job["steps"]] == ["succeeded"] * 4
    lines = [line.split()[0] for line in log.read_text().splitlines()]
    for n in range(3):
        order = [token.removeprefix(f"d{n}-") for token in lines if token.startswith(f"d{n}-")]
        assert order[0] == "a" and order[-1] == "d" and sorted(order[1:3]) == ["b", "c"], order
    children = client.get("/api/v1/queue/jobs?triggered_by=workflow&page_size=100").json
    assert children["total"] == 12


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_fanout_of_n_items_makes_n_children_and_a_flaky_task_is_retried(
    client: FlaskClient, workers: WorkerPool, tmp_path: Path
) -> None:
    workers.start(1, concurrency=2)
    _store_pipeline(client, _flaky("flaky", tmp_path / "flaky.log", 1))
    each = "".join(f"      {line}\n" for line in _record("each", tmp_path / "each.log").splitlines())
    workflow = _workflow(
        client,
        "name: fan\ninputs: [files]\ntasks:\n"
        f"  - id: each\n    for_each: files\n    pipeline_yaml: |\n{each}"
        "  - {id: flaky, pipeline: flaky, depends_on: [each], retries: 1, retry_delay_seconds: 0.2}\n",
    )
    job_id = _run(client, workflow, {"files": [f"f{i}.csv" for i in range(7)]})
    assert _wait(client, job_id)["status"] == "succeeded"
    tasks = _tasks(client, job_id)
    assert (tasks["each"]["instance_count"], tasks["each"]["instance_counts"]) == (7, {"succeeded": 7})
    assert sorted(i["item"] for i in tasks["each"]["instances"]) == [f"f{i}.csv" for i in range(7)]
    [flaky] = tasks["flaky"]["instances"]
    assert (flaky["status"], flaky["attempt"]) == ("succeeded", 2)
    assert runs_per_token(tmp_path / "each.log") == {"each": 7}


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_failed_task_skips_downstream_and_resume_after_the_fix_reruns_only_it_and_downstream(
    client: FlaskClient, workers: WorkerPool, tmp_path: Path
) -> None:
    workers.start(1, concurrency=2)
    log, flaky_log = tmp_path / "runs.log", tmp_path / "flaky.log"
    broken = _store_pipeline(client, _flaky("b", flaky_log, 1000))
    inline = {t: "".join(f"      {line}\n" for line in _record(t, log).splitlines()) for t in "acd"}
    workflow = _workflow(
        client,
        "name: fixable\ntasks:\n"
        f"  - id: a\n    pipeline_yaml: |\n{inline['a']}"
        "  - {id: b, pipeline: b, depends_on: [a]}\n"
        f"  - id: c\n    depends_on: [a]\n    pipeline_yaml: |\n{inline['c']}"
        f"  - id: d\n    depends_on: [b, c]\n    pipeline_yaml: |\n{inline['d']}",
    )
    job_id = _run(client, workflow)
    failed = _wait(client, job_id)
    assert failed["status"] == "failed" and failed["error"].endswith("; skipped: d"), failed
    assert {t: v["status"] for t, v in _tasks(client, job_id).items()} == {
        "a": "succeeded",
        "b": "failed",
        "c": "succeeded",
        "d": "skipped",
    }
    unfixed = client.post(f"/api/v1/workflows/runs/{job_id}/resume")  # b still fails: so does its resume
    assert _wait(client, unfixed.json["job_id"])["status"] == "failed"
    fixed = client.put(f"/api/v1/pipelines/{broken}", json={"pipeline_yaml": _flaky("b", flaky_log, 0)})
    assert fixed.status_code == 200, fixed.json
    resumed = client.post(f"/api/v1/workflows/runs/{job_id}/resume")
    assert resumed.status_code == 202, resumed.json
    job = _wait(client, resumed.json["job_id"])
    assert job["status"] == "succeeded", job
    assert runs_per_token(log) == {"a": 1, "c": 1, "d": 1}
    tasks = _tasks(client, resumed.json["job_id"])
    assert {t: v["status"] for t, v in tasks.items()} == dict.fromkeys("abcd", "succeeded")
    assert tasks["a"]["instances"][0]["job_id"] == _tasks(client, job_id)["a"]["instances"][0]["job_id"]
    refused = client.post(f"/api/v1/workflows/runs/{resumed.json['job_id']}/resume")
    assert refused.status_code == 409 and "only a failed or cancelled run" in refused.json["message"]


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_a_worker_killed_mid_workflow_loses_no_task_and_starts_none_twice(
    client: FlaskClient, workers: WorkerPool, tmp_path: Path
) -> None:
    doomed, _ = workers.start(2, concurrency=1)
    log = tmp_path / "kill.log"
    job_id = _run(client, _workflow(client, _diamond(log, "k", sleep=1.5)))
    while not log.exists():  # task a is running on one of the workers
        _wait(client, job_id, "0.2s")
    doomed.kill_group()
    workers.start(1, concurrency=1)
    job = _wait(client, job_id, "120s")
    assert job["status"] == "succeeded", job
    tasks = _tasks(client, job_id)
    assert {
        t: (v["status"], v["attempt"]) for t, v in ((t, v["instances"][0]) for t, v in tasks.items())
    } == {t: ("succeeded", 1) for t in "abcd"}
    children = client.get("/api/v1/queue/jobs?triggered_by=workflow&page_size=100").json
    assert children["total"] == 4  # one child per task: none started twice
    assert set(runs_per_token(log)) == {"k-a", "k-b", "k-c", "k-d"}


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_bad_workflows_and_runs_are_refused_naming_the_task(client: FlaskClient) -> None:
    cycle = client.post(
        "/api/v1/workflows",
        json={
            "workflow_yaml": "name: c\ntasks:\n  - {id: a, pipeline: p, depends_on: [b]}\n"
            "  - {id: b, pipeline: p, depends_on: [a]}\n"
        },
    )
    assert cycle.status_code == 422 and "dependency cycle: " in cycle.json["message"], cycle.json
    workflow = _workflow(
        client, "name: w\ninputs: [files]\ntasks:\n  - {id: t, pipeline: nowhere, for_each: files}\n"
    )
    refused = client.post(f"/api/v1/workflows/{workflow}/run", json={"context": {"files": "x"}})
    assert refused.status_code == 422, refused.json
    locations = {e["location"] for e in refused.json["errors"]}
    assert locations == {"tasks[0](t).pipeline", "tasks[0](t).for_each"}, refused.json
    assert client.post("/api/v1/workflows/runs/nope/resume").status_code == 404
    duplicate = client.post(
        "/api/v1/workflows", json={"workflow_yaml": "name: w\ntasks:\n  - {id: t, pipeline: p}\n"}
    )
    assert duplicate.status_code == 409


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_schedule_can_target_a_workflow_and_cancel_stops_its_children(
    client: FlaskClient, workers: WorkerPool, tmp_path: Path
) -> None:
    workers.start(1, concurrency=2)
    log = tmp_path / "slow.log"
    _workflow(client, _diamond(log, "slow", sleep=20))
    schedule = client.post(
        "/api/v1/scheduler/jobs",
        json={
            "name": "nightly",
            "cron_expr": "@daily",
            "target_kind": "workflow",
            "target_spec": {"workflow_name": "slow"},
        },
    )
    assert schedule.status_code == 201, schedule.json
    triggered = client.post(f"/api/v1/scheduler/jobs/{schedule.json['id']}/trigger")
    assert triggered.status_code == 202 and triggered.json["kind"] == "workflow"
    job_id = triggered.json["job_id"]
    while not log.exists():
        _wait(client, job_id, "0.2s")
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel").status_code == 200
    job = _wait(client, job_id, "30s")
    assert job["status"] == "cancelled", job
    [a] = _tasks(client, job_id)["a"]["instances"]
    child = _wait(client, a["job_id"], "30s")
    assert child["status"] == "cancelled", child
    assert runs_per_token(log) == {"slow-a": 1}
