"""Twin simulations as jobs of kind digital_twin, run by real worker processes through Redis: enqueue over
HTTP, wait, a what-if, a worker SIGKILLed mid-simulation, and cancel mid-run."""

from __future__ import annotations

import json
import time

import pytest
from flask.testing import FlaskClient

from bench.twins import generated_twin
from mimir.testing.stack import WorkerPool
from shared.db.engine import Database
from shared.twins import runs, service
from shared.twins.model import Event, Scenario
from shared.twins.validation import scenario_to_dict

pytestmark = pytest.mark.integration

PLANT = {
    "name": "plant",
    "entities": [
        {"uri": "press", "type": "machine", "state": {"capacity": 100, "utilization": 0.5}},
        {"uri": "line", "type": "machine", "state": {"capacity": 100, "utilization": 0.8}},
    ],
    "relationships": [{"source_uri": "press", "target_uri": "line", "type": "supplies"}],
}
# Relative IRIs: the entities are https://mimir.invalid/press and .../line, labelled "press" and "line".
TURTLE = """
@prefix : <> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
:Machine a owl:Class .
:press a :Machine ; :capacity 100 ; :utilization 0.5 ; :supplies :line .
:line a :Machine ; :capacity 100 ; :utilization 0.8 .
"""
LINE = "https://mimir.invalid/line"
SURGE = {
    "name": "surge",
    "duration": 30,
    "events": [
        {
            "type": "demand_surge",
            "target_uri": "line",
            "step": 5,
            "duration": 4,
            "parameters": {"increase": 0.5},
        }
    ],
}


def _wait(client: FlaskClient, job_id: str, timeout: str = "60s") -> dict:
    response = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout={timeout}")
    assert response.status_code == 200, response.json
    return dict(response.json)


def _long_scenario_twin(db: Database, steps: int = 3000) -> tuple[str, dict]:
    """A twin and a scenario that take seconds to simulate: 10,000 entities, ``steps`` steps (3,000 take
    about 1.6 s here), an event each."""
    twin_id = service.create_twin(db, generated_twin(10_000, 20_000)).id
    events = tuple(
        Event("demand_surge", step, target_uri=f"urn:e:{step}", parameters={"increase": 0.1})
        for step in range(steps)
    )
    return twin_id, scenario_to_dict(Scenario(name="long", duration=steps, events=events))


def _wait_until_running(client: FlaskClient, job_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(f"/api/v1/queue/jobs/{job_id}").json
        if job["status"] == "running" and job["progress"] > 0:
            return dict(job)
        assert job["status"] in ("queued", "running"), job
        assert time.monotonic() < deadline, f"the simulation did not start: {job}"
        time.sleep(0.1)


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_an_imported_ontology_runs_on_a_worker_and_wait_returns_bottlenecks_and_advice(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    imported = client.post("/api/v1/twins/import", json={"name": "plant", "ontology": TURTLE})
    assert imported.status_code == 201, imported.json
    twin_id = imported.json["id"]
    scenario = {**SURGE, "events": [{**SURGE["events"][0], "target_uri": LINE}]}
    scenario_id = client.post(f"/api/v1/twins/{twin_id}/scenarios", json=scenario).json["id"]
    accepted = client.post(f"/api/v1/twins/{twin_id}/scenarios/{scenario_id}/run", json={})
    assert accepted.status_code == 202, accepted.json
    assert accepted.json["kind"] == "digital_twin"
    job = _wait(client, accepted.json["job_id"])
    assert job["status"] == "succeeded", job
    metrics = job["output"]["metrics"]
    assert metrics["bottlenecks"] == [{"uri": LINE, "label": "line", "from_step": 5, "duration": 4}]
    assert metrics["recommendations"][0] == (
        f"add capacity to line ({LINE}): over capacity for 4 of 30 steps, "
        "demand peaking at 120% of its capacity"
    )
    run = client.get(f"/api/v1/twins/{twin_id}/runs/{job['output']['run_id']}").json
    assert (run["job_id"], run["scenario_id"]) == (job["id"], scenario_id)
    listed = client.get("/api/v1/queue/jobs?kind=digital_twin").json["items"]
    assert [j["id"] for j in listed] == [job["id"]]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_enqueue_with_an_inline_scenario_and_a_whatif_return_the_difference(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    twin_id = client.post("/api/v1/twins", json=PLANT).json["id"]
    plain = client.post("/api/v1/queue/digital-twins/enqueue", json={"twin_id": twin_id, "scenario": SURGE})
    assert plain.status_code == 202, plain.json
    changes = [{"op": "set_capacity", "uri": "line", "capacity": 150}]
    whatif = client.post(f"/api/v1/twins/{twin_id}/whatif", json={"scenario": SURGE, "changes": changes})
    assert whatif.status_code == 202, whatif.json
    assert _wait(client, plain.json["job_id"])["status"] == "succeeded"
    job = _wait(client, whatif.json["job_id"])
    assert job["status"] == "succeeded", job
    difference = job["output"]["difference"]
    assert difference["bottleneck_count"] == {"before": 1, "after": 0, "change": -1}
    assert difference["resolved_bottlenecks"] == ["line"]


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_a_simulation_survives_its_worker_being_killed_and_stores_one_run(
    client: FlaskClient, workers: WorkerPool, db: Database
) -> None:
    (doomed,) = workers.start(1)
    twin_id, scenario = _long_scenario_twin(db)
    job_id = client.post(
        "/api/v1/queue/digital-twins/enqueue", json={"twin_id": twin_id, "scenario": scenario}
    ).json["job_id"]
    running = _wait_until_running(client, job_id)
    assert running["current_step"].startswith("step ")
    doomed.kill_group()
    workers.start(1)
    job = _wait(client, job_id, "240s")
    assert (job["status"], job["attempts"]) == ("succeeded", 2), job
    assert runs.list_runs(db, twin_id, limit=10, offset=0)[1] == 1
    assert runs.run_of_job(db, job_id) is not None


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_cancelling_a_running_simulation_stops_it_between_steps(
    client: FlaskClient, workers: WorkerPool, db: Database
) -> None:
    workers.start(1)
    # A what-if simulates twice: about 7 s uncancelled here, so a loaded CI machine cannot finish it before
    # the cancel is seen (3,000 steps once took less than that in CI).
    twin_id, scenario = _long_scenario_twin(db, steps=5000)
    changes = [{"op": "set_capacity", "uri": "urn:e:0", "capacity": 150}]
    accepted = client.post(f"/api/v1/twins/{twin_id}/whatif", json={"scenario": scenario, "changes": changes})
    assert accepted.status_code == 202, accepted.json
    job_id = accepted.json["job_id"]
    _wait_until_running(client, job_id)
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel").status_code == 200
    job = _wait(client, job_id, "60s")
    assert (job["status"], job["error"]) == ("cancelled", "cancelled"), job
    assert runs.list_runs(db, twin_id, limit=10, offset=0)[1] == 0


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_schedule_can_target_a_scenario_and_its_trigger_runs_it(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    twin_id = client.post("/api/v1/twins", json=PLANT).json["id"]
    scenario_id = client.post(f"/api/v1/twins/{twin_id}/scenarios", json=SURGE).json["id"]
    schedule = client.post(
        "/api/v1/scheduler/jobs",
        json={
            "name": "nightly surge",
            "cron_expr": "@daily",
            "target_kind": "digital_twin",
            "target_spec": {"twin_id": twin_id, "scenario_id": scenario_id},
        },
    )
    assert schedule.status_code == 201, schedule.json
    triggered = client.post(f"/api/v1/scheduler/jobs/{schedule.json['id']}/trigger")
    assert triggered.status_code == 202 and triggered.json["kind"] == "digital_twin"
    job = _wait(client, triggered.json["job_id"])
    assert (job["status"], job["triggered_by"]) == ("succeeded", "manual"), job
    assert job["output"]["metrics"]["bottleneck_count"] == 1


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_pipeline_on_a_worker_writes_twin_state_and_simulates_it(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    twin_id = client.post("/api/v1/twins", json=PLANT).json["id"]
    steps = [
        {
            "name": "readings",
            "plugin": "Utility.noop",
            "config": {"value": [{"uri": "line", "utilization": 0.95}]},
        },
        {"name": "sync", "plugin": "Output.twin_state", "config": {"input": "readings", "twin_id": twin_id}},
        {"name": "sim", "plugin": "Digital_Twin.simulate", "config": {"twin_id": twin_id, "scenario": SURGE}},
    ]
    accepted = client.post(
        "/api/v1/queue/pipelines/enqueue",
        json={"pipeline_yaml": json.dumps({"name": "sync", "steps": steps})},
    )
    assert accepted.status_code == 202, accepted.json
    job = _wait(client, accepted.json["job_id"])
    assert job["status"] == "succeeded", job
    assert job["output"]["sync"] == {"twin_id": twin_id, "revision": 2, "updated": 1}
    # Line at 95 of 100, +50% from step 5 for 4 steps: over capacity for those 4 steps, on revision 2.
    assert job["output"]["sim"]["twin_revision"] == 2
    assert job["output"]["sim"]["metrics"]["bottlenecks"][0]["duration"] == 4
