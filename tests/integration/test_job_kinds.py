"""A job kind added by one test module (``tests/integration/kinds/echo.py``), installed through the
``platform.extra_slices`` setting only, runs through enqueue, real workers, a SIGKILL, recovery and cancel."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from mimir.testing.schedule_rows import fires_of, jobs_of
from mimir.testing.stack import WorkerPool
from shared.config import Settings
from shared.db.engine import Database
from shared.jobs import service as jobs
from shared.jobs.targets import RunTarget
from shared.pipelines.model import PipelineDefinition
from shared.queue.celery_app import PIPELINE_QUEUE, RUN_PIPELINE_JOB, create_celery
from shared.scheduling import service as schedules
from shared.scheduling.firing import FirePolicy, fire_due_schedules
from shared.security.keys import create_api_key
from shared.slices import load_platform
from tests.integration.kinds.echo import ECHO_QUEUE

pytestmark = pytest.mark.integration

ECHO_SLICE = "tests.integration.kinds.echo"


@pytest.fixture()
def settings(settings: Settings) -> Settings:
    return settings.with_overrides(extra_slices=(ECHO_SLICE,))


def _enqueue_echo(client: FlaskClient, message: str, seconds: float, record_to: Path | None = None) -> str:
    spec = {"message": message, "seconds": seconds, "record_to": str(record_to) if record_to else None}
    response = client.post("/api/v1/queue/jobs", json={"kind": "echo", "spec": spec})
    assert response.status_code == 202, response.json
    assert (response.json["kind"], response.json["status"]) == ("echo", "queued")
    return str(response.json["job_id"])


def _wait(client: FlaskClient, job_id: str, timeout: str = "60s") -> dict:
    response = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout={timeout}")
    assert response.status_code == 200, response.json
    return dict(response.json)


def _events(record: Path) -> list[str]:
    return record.read_text().split("\n")[:-1] if record.exists() else []


def _wait_until_started(record: Path, count: int = 1, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while sum(line.endswith(" started") for line in _events(record)) < count:
        assert time.monotonic() < deadline, "the echo job did not start"
        time.sleep(0.05)


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_an_echo_job_survives_its_worker_being_killed_and_finishes_once(
    client: FlaskClient, workers: WorkerPool, tmp_path: Path
) -> None:
    (doomed,) = workers.start(1)
    record = tmp_path / "echo.log"
    job_id = _enqueue_echo(client, "hello from a new kind", 3.0, record)
    _wait_until_started(record)
    time.sleep(0.6)  # long enough for a progress write
    running = client.get(f"/api/v1/queue/jobs/{job_id}").json
    assert running["status"] == "running" and 0 < running["progress"] < 1
    doomed.kill_group()
    workers.start(1)
    job = _wait(client, job_id)
    assert job["status"] == "succeeded", job
    assert job["output"] == {"message": "hello from a new kind", "attempt": 2}
    assert (job["kind"], job["attempts"]) == ("echo", 2)
    assert [line.split()[1:] for line in _events(record)] == [
        ["1", "started"],
        ["2", "started"],
        ["2", "finished"],
    ]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_cancelling_a_running_echo_job_stops_it_before_it_finishes(
    client: FlaskClient, workers: WorkerPool, tmp_path: Path
) -> None:
    workers.start(1)
    record = tmp_path / "echo.log"
    job_id = _enqueue_echo(client, "never said", 20.0, record)
    _wait_until_started(record)
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel").status_code == 200
    job = _wait(client, job_id, "15s")
    assert (job["status"], job["error"], job["output"]) == ("cancelled", "cancelled", None)
    assert [line.split()[2] for line in _events(record)] == ["started"]
    lines = client.get(f"/api/v1/queue/jobs/{job_id}/logs").json
    assert lines["lines"][-1]["message"].startswith("run cancelled in ")


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_jobs_are_filtered_by_kind_and_an_unknown_kind_is_refused_naming_the_installed_ones(
    client: FlaskClient,
) -> None:
    echo_id = _enqueue_echo(client, "hi", 0)
    pipeline = client.post(
        "/api/v1/queue/pipelines/enqueue",
        json={"pipeline_yaml": "name: p\nsteps:\n  - {name: a, plugin: Utility.noop}\n"},
    )
    assert pipeline.status_code == 202 and pipeline.json["kind"] == "pipeline"
    echoes = client.get("/api/v1/queue/jobs?kind=echo").json
    assert [(j["id"], j["kind"], j["type"]) for j in echoes["items"]] == [(echo_id, "echo", "echo")]
    pipelines = client.get("/api/v1/queue/jobs?kind=pipeline").json["items"]
    assert [j["id"] for j in pipelines] == [pipeline.json["job_id"]]
    unknown = client.get("/api/v1/queue/jobs?kind=twin")
    assert unknown.status_code == 422
    assert (
        "unknown job kind 'twin' (installed: digital_twin, echo, pipeline, workflow)"
        in unknown.json["message"]
    )
    status = client.get("/api/v1/queue/status").json
    assert set(status["queues"]) == {"mimir.pipelines", "mimir.twins", "mimir.workflows", ECHO_QUEUE}


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_the_installed_kinds_are_listed_with_how_each_is_queued(client: FlaskClient, db: Database) -> None:
    kinds = client.get("/api/v1/queue/kinds")
    assert kinds.status_code == 200, kinds.json
    assert [
        (k["name"], k["queue"], k["is_schedulable"], k["is_queueable"], bool(k["description"]))
        for k in kinds.json
    ] == [
        ("digital_twin", "mimir.twins", True, True, True),
        ("echo", ECHO_QUEUE, True, True, True),
        ("pipeline", PIPELINE_QUEUE, True, False, True),
        ("workflow", "mimir.workflows", True, True, True),
    ]
    echo = next(k for k in kinds.json if k["name"] == "echo")
    assert echo["description"] == "sleeps, then returns its message (a test kind)"
    viewer = create_api_key(db, name="dashboard", role="viewer").secret
    as_viewer = client.get("/api/v1/queue/kinds", headers={"Authorization": f"Bearer {viewer}"})
    assert as_viewer.status_code == 200 and as_viewer.json == kinds.json
    assert client.get("/api/v1/queue/kinds", headers={"Authorization": "Bearer wrong"}).status_code == 401


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_spec_is_checked_by_its_kind_and_pipelines_are_not_created_from_a_raw_spec(
    client: FlaskClient,
) -> None:
    bad = client.post("/api/v1/queue/jobs", json={"kind": "echo", "spec": {"message": 3}})
    assert bad.status_code == 422 and "spec.message" in bad.json["message"]
    pipeline = client.post("/api/v1/queue/jobs", json={"kind": "pipeline", "spec": {"definition": {}}})
    assert pipeline.status_code == 422 and "kind" in pipeline.json["message"]
    unknown = client.post("/api/v1/queue/jobs", json={"kind": "nope", "spec": {}})
    assert (
        unknown.status_code == 422
        and "installed: digital_twin, echo, pipeline, workflow" in unknown.json["message"]
    )


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_a_schedule_of_another_kind_fires_each_slot_exactly_once_across_racing_beats(
    client: FlaskClient, db: Database
) -> None:
    created = client.post(
        "/api/v1/scheduler/jobs",
        json={
            "name": "echo every second",
            "cron_expr": "* * * * * *",
            "target_kind": "echo",
            "target_spec": {"message": "tick", "seconds": 0},
        },
    )
    assert created.status_code == 201, created.json
    assert (created.json["target_kind"], created.json["pipeline_id"]) == ("echo", None)
    schedule = schedules.get_schedule(db, created.json["id"]).record
    assert schedule.next_run is not None
    now = schedule.next_run + timedelta(seconds=4)
    kinds = load_platform([ECHO_SLICE]).job_kinds
    policy = FirePolicy(misfire_grace=timedelta(seconds=30), max_catchup=100)
    barrier = threading.Barrier(3)

    def beat() -> None:
        barrier.wait()
        fire_due_schedules(db, policy, now, kinds)

    threads = [threading.Thread(target=beat) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    fired = jobs_of(db, schedule.id)
    assert len(fired) == 5 and len({j.scheduled_for for j in fired}) == 5
    assert {(j.kind, j.pipeline_name, j.spec["message"]) for j in fired} == {("echo", "echo tick", "tick")}
    assert len(fires_of(db, schedule.id)) == 5


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_message_under_the_old_task_name_still_runs_its_job(
    client: FlaskClient, workers: WorkerPool, db: Database, settings: Settings
) -> None:
    workers.start(1)
    target = RunTarget(
        PipelineDefinition.from_dict({"name": "old", "steps": [{"name": "a", "plugin": "Utility.noop"}]})
    )
    kinds = load_platform([ECHO_SLICE]).job_kinds
    job = jobs.create_job(db, kinds.get("pipeline"), target.job_request({}))  # committed, not published
    celery = create_celery(settings)
    try:
        celery.send_task(RUN_PIPELINE_JOB, args=[job.id], queue=PIPELINE_QUEUE)
    finally:
        celery.close()
    finished = _wait(client, job.id, "20s")
    assert (finished["status"], finished["attempts"], finished["kind"]) == ("succeeded", 1, "pipeline")


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_triggering_a_schedule_of_another_kind_queues_its_spec_now(client: FlaskClient) -> None:
    created = client.post(
        "/api/v1/scheduler/jobs",
        json={
            "name": "echo nightly",
            "cron_expr": "@daily",
            "target_kind": "echo",
            "target_spec": {"message": "now"},
            "context": {"who": "me"},
        },
    ).json
    triggered = client.post(f"/api/v1/scheduler/jobs/{created['id']}/trigger")
    assert triggered.status_code == 202 and triggered.json["kind"] == "echo"
    job = client.get(f"/api/v1/queue/jobs/{triggered.json['job_id']}").json
    assert (job["triggered_by"], job["context"], job["pipeline_name"]) == (
        "manual",
        {"who": "me"},
        "echo now",
    )


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_schedule_refuses_a_spec_its_kind_rejects_and_a_pipeline_field_on_another_kind(
    client: FlaskClient,
) -> None:
    base = {"name": "bad echo", "cron_expr": "@daily", "target_kind": "echo"}
    bad_spec = client.post("/api/v1/scheduler/jobs", json={**base, "target_spec": {"seconds": 1}})
    assert bad_spec.status_code == 422 and "spec.message" in bad_spec.json["message"]
    both = client.post(
        "/api/v1/scheduler/jobs", json={**base, "target_spec": {"message": "x"}, "pipeline_name": "p"}
    )
    assert both.status_code == 422 and "pipeline_id" in both.json["message"]
    unknown = client.post("/api/v1/scheduler/jobs", json={**base, "target_kind": "twin"})
    assert (
        unknown.status_code == 422
        and "installed: digital_twin, echo, pipeline, workflow" in unknown.json["message"]
    )
