"""Jobs end to end: enqueue over the API, real Celery worker processes, real Redis and database."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from mimir.testing.recording import record_pipeline, runs_per_token
from mimir.testing.stack import ApiProcess, WorkerPool
from shared.config import Settings
from tests.integration.conftest import pipeline_yaml

pytestmark = pytest.mark.integration

MIMIR_SHAPED = """
pipelines:
  - name: sales-report
    description: CSV in, totals by region, JSON out
    steps:
      - name: Read sales
        plugin: Input.csv
        config:
          file_path: sales.csv
        output: sales
      - name: Totals by region
        plugin: Data_Processing.transform
        config:
          input: sales
          operations:
            - filter: {column: amount, op: ">", value: 0}
            - aggregate:
                group_by: [region]
                metrics: [{column: amount, func: sum, as: total}]
            - sort: {by: [region]}
        output: totals
      - name: Write report
        plugin: Output.json
        config:
          input: totals
          file_path: "reports/{{ run_name }}.json"
        output: written
"""


def _enqueue(client: FlaskClient, text: str, context: dict | None = None) -> str:
    response = client.post(
        "/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": text, "context": context or {}}
    )
    assert response.status_code == 202, response.json
    assert response.json["status"] == "queued"
    return str(response.json["job_id"])


def _http_enqueue(api: ApiProcess, text: str, context: dict | None = None) -> str:
    response = requests.post(
        f"{api.url}/api/v1/queue/pipelines/enqueue",
        json={"pipeline_yaml": text, "context": context or {}},
        headers=api.headers,
        timeout=30,
    )
    assert response.status_code == 202, response.text
    return str(response.json()["job_id"])


def _http_wait(api: ApiProcess, job_id: str, timeout: str = "30s") -> dict:
    response = requests.get(
        f"{api.url}/api/v1/queue/jobs/{job_id}/wait?timeout={timeout}", headers=api.headers, timeout=200
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _wait(client: FlaskClient, job_id: str, timeout: str = "30s") -> dict:
    response = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout={timeout}")
    assert response.status_code == 200, response.json
    return dict(response.json)


@pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)
def test_mimir_shaped_pipeline_succeeds_through_wait(
    client: FlaskClient, workers: WorkerPool, settings: Settings
) -> None:
    workers.start(1)
    files = settings.resolved_file_directories[0]
    (files / "sales.csv").write_text("region,amount\nnorth,10\nsouth,5\nnorth,2.5\nsouth,-1\n")
    job = _wait(client, _enqueue(client, MIMIR_SHAPED, {"run_name": "nightly"}))
    assert job["status"] == "succeeded", job
    assert job["output"]["totals"]["rows"] == [
        {"region": "north", "total": 12.5},
        {"region": "south", "total": 5},
    ]
    written = json.loads((settings.resolved_output_dir / "reports" / "nightly.json").read_text())
    assert written["rows"] == job["output"]["totals"]["rows"]
    assert [s["status"] for s in job["steps"]] == ["succeeded"] * 3
    assert job["worker_id"] and job["attempts"] == 1 and job["progress"] == 1.0


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_wait_returns_the_current_state_when_the_timeout_passes(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    job_id = _enqueue(client, pipeline_yaml("{name: nap, plugin: Utility.sleep, config: {seconds: 3}}"))
    started = time.monotonic()
    job = _wait(client, job_id, "500ms")
    assert job["status"] in ("queued", "running")
    assert time.monotonic() - started < 2.5
    assert _wait(client, job_id, "20s")["status"] == "succeeded"


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_wait_returns_as_soon_as_the_job_succeeds(client: FlaskClient, workers: WorkerPool) -> None:
    workers.start(1)
    job_id = _enqueue(client, pipeline_yaml("{name: nap, plugin: Utility.sleep, config: {seconds: 0.5}}"))
    started = time.monotonic()
    assert _wait(client, job_id, "30s")["status"] == "succeeded"
    assert time.monotonic() - started < 5  # far below the 30s timeout: woken, not timed out


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_failed_step_fails_the_job_with_its_error(client: FlaskClient, workers: WorkerPool) -> None:
    workers.start(1)
    text = pipeline_yaml("{name: r, plugin: Utility.sleep, config: {seconds: '{{ n }}'}}")
    job = _wait(client, _enqueue(client, text, {"n": "never"}))
    assert job["status"] == "failed"
    assert job["error"].startswith("step 0 (r) failed:")
    assert job["steps"][0]["status"] == "failed"


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_cancel_stops_a_running_job_before_its_next_step(client: FlaskClient, workers: WorkerPool) -> None:
    workers.start(1)
    job_id = _enqueue(
        client,
        pipeline_yaml(
            "{name: nap, plugin: Utility.sleep, config: {seconds: 2}}",
            "{name: after, plugin: Utility.noop}",
        ),
    )
    deadline = time.monotonic() + 15
    while client.get(f"/api/v1/queue/jobs/{job_id}").json["status"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel").status_code == 200
    job = _wait(client, job_id)
    assert job["status"] == "cancelled"
    assert [s["status"] for s in job["steps"]] == ["succeeded", "skipped"]


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_cancel_of_a_queued_job_is_immediate_and_a_finished_job_cannot_be_cancelled(
    client: FlaskClient,
) -> None:
    job_id = _enqueue(client, pipeline_yaml("{name: a, plugin: Utility.noop}"))  # no workers: stays queued
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel").json["status"] == "cancelled"
    again = client.post(f"/api/v1/queue/jobs/{job_id}/cancel")
    assert again.status_code == 409
    assert "already cancelled" in again.json["message"]


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_jobs_are_listed_by_status_and_queue_status_counts_them(client: FlaskClient) -> None:
    ids = [_enqueue(client, pipeline_yaml("{name: a, plugin: Utility.noop}")) for _ in range(3)]
    client.post(f"/api/v1/queue/jobs/{ids[0]}/cancel")
    queued = client.get("/api/v1/queue/jobs?status=queued&page_size=10").json
    assert {j["id"] for j in queued["items"]} == set(ids[1:])
    assert queued["total"] == 2
    status = client.get("/api/v1/queue/status").json
    assert (status["queued"], status["cancelled"]) == (2, 1)


@pytest.mark.slow
@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_200_concurrent_enqueues_all_succeed_across_two_workers(
    api: ApiProcess, workers: WorkerPool, tmp_path: Path
) -> None:
    workers.start(2, concurrency=2)
    log = tmp_path / "runs.log"
    tokens = [uuid.uuid4().hex for _ in range(200)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        job_ids = list(pool.map(lambda t: _http_enqueue(api, record_pipeline(log, t)), tokens))
    statuses = [_http_wait(api, job_id, "120s") for job_id in job_ids]
    assert [j["status"] for j in statuses] == ["succeeded"] * 200
    assert len({j["worker_id"].rsplit(":", 1)[0] for j in statuses}) >= 1
    assert len({j["worker_id"] for j in statuses}) >= 2  # spread over several processes
    assert runs_per_token(log) == dict.fromkeys(tokens, 1)


@pytest.mark.slow
@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_a_worker_killed_mid_batch_loses_no_job(api: ApiProcess, workers: WorkerPool, tmp_path: Path) -> None:
    doomed, survivor = workers.start(2, concurrency=2)
    log = tmp_path / "runs.log"
    tokens = [uuid.uuid4().hex for _ in range(200)]
    with ThreadPoolExecutor(max_workers=16) as pool:
        job_ids = list(pool.map(lambda t: _http_enqueue(api, record_pipeline(log, t, sleep=0.02)), tokens))
    deadline = time.monotonic() + 30
    while len(runs_per_token(log)) < 20:
        assert time.monotonic() < deadline, "no job started"
        time.sleep(0.02)
    doomed.kill_group()
    statuses = [_http_wait(api, job_id, "120s")["status"] for job_id in job_ids]
    assert statuses == ["succeeded"] * 200
    assert set(runs_per_token(log)) == set(tokens)


@pytest.mark.slow
@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_a_job_whose_pool_process_is_killed_runs_again_elsewhere(
    api: ApiProcess, workers: WorkerPool, tmp_path: Path
) -> None:
    (worker,) = workers.start(1, concurrency=1)
    log = tmp_path / "runs.log"
    job_id = _http_enqueue(api, record_pipeline(log, "slow", sleep=2.0))
    deadline = time.monotonic() + 20
    while not runs_per_token(log):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for pid in worker.pool_children():
        import os
        import signal

        os.kill(pid, signal.SIGKILL)
    job = _http_wait(api, job_id, "60s")
    assert job["status"] == "succeeded"
    assert job["attempts"] == 2
    assert runs_per_token(log) == {"slow": 2}


@pytest.mark.slow
@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_a_job_longer_than_the_visibility_timeout_runs_once(
    api: ApiProcess, workers: WorkerPool, tmp_path: Path, settings: Settings
) -> None:
    assert settings.visibility_timeout_seconds < 12
    workers.start(2, concurrency=1)
    log = tmp_path / "runs.log"
    job = _http_wait(api, _http_enqueue(api, record_pipeline(log, "long", sleep=14.0)), "60s")
    assert job["status"] == "succeeded"
    assert (job["attempts"], runs_per_token(log)) == (1, {"long": 1})
