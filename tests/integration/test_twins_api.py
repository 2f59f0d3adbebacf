"""The twins API against a real database (SQLite and PostgreSQL), through the Flask app."""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient

from shared.db.engine import Database
from shared.twins import runs

EX = "http://example.org/plant#"
TURTLE = """
@prefix ex: <http://example.org/plant#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
ex:Machine a owl:Class .
ex:supplies a owl:ObjectProperty .
ex:press a ex:Machine ; ex:capacity 100 ; ex:utilization 0.5 ; ex:supplies ex:line .
ex:line a ex:Machine ; ex:capacity 100 ; ex:utilization 0.8 .
"""
SURGE = {
    "name": "surge",
    "duration": 10,
    "events": [
        {
            "type": "demand_surge",
            "target_uri": EX + "line",
            "step": 2,
            "parameters": {"increase": 0.5},
            "duration": 4,
        }
    ],
}


def _twin(client: FlaskClient, **extra: Any) -> dict:
    body = {
        "name": "plant",
        "entities": [
            {"uri": "a", "type": "machine", "state": {"capacity": 10, "utilization": 0.5}},
            {"uri": "b", "type": "machine", "state": {"capacity": 10, "utilization": 0.9}},
        ],
        "relationships": [{"source_uri": "b", "target_uri": "a", "type": "depends_on", "strength": 0.5}],
        **extra,
    }
    response = client.post("/api/v1/twins", json=body)
    assert response.status_code == 201, response.json
    return response.json


def test_created_twin_is_listed_and_read_back_with_its_entities(client: FlaskClient) -> None:
    created = _twin(client)
    assert (created["revision"], created["entity_count"], created["relationship_count"]) == (1, 2, 1)
    assert [t["name"] for t in client.get("/api/v1/twins").json["items"]] == ["plant"]
    detail = client.get(f"/api/v1/twins/{created['id']}").json
    assert [e["uri"] for e in detail["entities"]] == ["a", "b"]


def test_put_makes_a_new_revision(client: FlaskClient) -> None:
    twin_id = _twin(client)["id"]
    body = {"name": "plant", "entities": [{"uri": "a"}]}
    assert client.put(f"/api/v1/twins/{twin_id}", json=body).json["revision"] == 2


def test_delete_removes_the_twin(client: FlaskClient) -> None:
    twin_id = _twin(client)["id"]
    assert client.delete(f"/api/v1/twins/{twin_id}").status_code == 204
    assert client.get(f"/api/v1/twins/{twin_id}").status_code == 404


def test_bad_twins_are_refused_naming_the_item(client: FlaskClient) -> None:
    body = {
        "name": "bad",
        "entities": [{"uri": "a", "state": {"capacity": -1}}, {"uri": "a"}],
        "relationships": [{"source_uri": "a", "target_uri": "z", "type": "x", "strength": 2}],
    }
    response = client.post("/api/v1/twins", json=body)
    assert response.status_code == 422
    assert [e["location"] for e in response.json["errors"]] == [
        "entities[0].state.capacity",
        "entities[1].uri",
        "relationships[0].target_uri",
        "relationships[0].strength",
    ]
    assert client.get("/api/v1/twins").json["total"] == 0


def test_unknown_fields_are_refused(client: FlaskClient) -> None:
    response = client.post("/api/v1/twins", json={"name": "x", "entities": [], "colour": "red"})
    assert response.status_code == 422
    assert "colour" in response.json["message"]


def test_turtle_import_gives_a_twin_whose_state_comes_from_the_ontology(client: FlaskClient) -> None:
    response = client.post("/api/v1/twins/import", json={"name": "plant", "ontology": TURTLE})
    assert response.status_code == 201, response.json
    state = client.get(f"/api/v1/twins/{response.json['id']}/state?type=Machine").json
    assert {(e["uri"], e["state"]["utilization"]) for e in state["entities"]} == {
        (EX + "press", 0.5),
        (EX + "line", 0.8),
    }


def test_rdf_that_does_not_parse_is_a_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/twins/import", json={"name": "x", "ontology": "ex:a ex:b ."})
    assert response.status_code == 400
    assert response.json["message"].startswith("ontology: does not parse as turtle")


def test_import_from_tables_with_a_mapping(client: FlaskClient) -> None:
    body = {
        "name": "teams",
        "tables": {
            "entities": [{"id": "a", "cap": 5}, {"id": "b", "cap": 7}],
            "relationships": [{"f": "a", "t": "b"}],
        },
        "mapping": {
            "entities": {"uri": "id", "capacity": "cap"},
            "relationships": {"source_uri": "f", "target_uri": "t"},
        },
    }
    response = client.post("/api/v1/twins/import", json=body)
    assert response.status_code == 201, response.json
    assert response.json["source"] == "tables"


def test_import_from_an_unknown_job_is_a_404(client: FlaskClient) -> None:
    body = {"name": "x", "pipeline_output": {"job_id": "nope", "entities_key": "rows"}, "mapping": {}}
    assert client.post("/api/v1/twins/import", json=body).status_code == 404


def test_scenarios_are_stored_and_listed(client: FlaskClient) -> None:
    twin_id = client.post("/api/v1/twins/import", json={"name": "plant", "ontology": TURTLE}).json["id"]
    created = client.post(f"/api/v1/twins/{twin_id}/scenarios", json=SURGE)
    assert created.status_code == 201, created.json
    assert [s["name"] for s in client.get(f"/api/v1/twins/{twin_id}/scenarios").json] == ["surge"]


def test_a_scenario_over_the_duration_cap_or_on_a_missing_entity_is_refused(client: FlaskClient) -> None:
    twin_id = _twin(client)["id"]
    body = {
        "name": "x",
        "duration": 1_000_000,
        "events": [{"type": "process_failure", "target_uri": "q", "step": 0}],
    }
    response = client.post(f"/api/v1/twins/{twin_id}/scenarios", json=body)
    assert response.status_code == 422
    assert [e["location"] for e in response.json["errors"]] == ["duration", "events[0].target_uri"]


def test_runs_timeline_and_compare_read_what_the_engine_stored(client: FlaskClient, db: Database) -> None:
    twin_id = client.post("/api/v1/twins/import", json={"name": "plant", "ontology": TURTLE}).json["id"]
    calm = runs.run_scenario(db, twin_id, scenario={"name": "calm", "duration": 10})
    surge = runs.run_scenario(db, twin_id, scenario=SURGE)
    listing = client.get(f"/api/v1/twins/{twin_id}/runs").json
    assert [r["scenario_name"] for r in listing["items"]] == ["surge", "calm"]
    detail = client.get(f"/api/v1/twins/{twin_id}/runs/{surge.id}").json
    assert detail["metrics"]["bottlenecks"] == [
        {"uri": EX + "line", "label": "line", "from_step": 2, "duration": 4}
    ]
    assert detail["metrics"]["recommendations"][0].startswith("add capacity to line")
    timeline = client.get(
        f"/api/v1/twins/{twin_id}/runs/{surge.id}/timeline",
        query_string={"entities": EX + "line", "from": 1, "to": 3},
    ).json
    assert timeline["steps"] == [1, 2, 3]
    assert timeline["entities"][0]["status"] == ["operational", "bottleneck", "bottleneck"]
    compared = client.get(f"/api/v1/twins/{twin_id}/runs/{calm.id}/compare/{surge.id}").json
    assert compared["difference"]["new_bottlenecks"] == [EX + "line"]


def test_timeline_outside_the_run_is_a_422(client: FlaskClient, db: Database) -> None:
    twin_id = _twin(client)["id"]
    run = runs.run_scenario(db, twin_id, scenario={"name": "calm", "duration": 5})
    response = client.get(f"/api/v1/twins/{twin_id}/runs/{run.id}/timeline?from=9")
    assert response.status_code == 422
    assert response.json["message"] == "from: step 9 is outside the run's steps 0..4"


def test_analysis_names_the_entity_others_depend_on(client: FlaskClient) -> None:
    twin_id = _twin(client)["id"]
    report = client.get(f"/api/v1/twins/{twin_id}/analysis").json
    assert report["most_depended_on"] == [{"uri": "a", "label": "a", "dependents": 1}]


def test_enqueue_refuses_a_scenario_that_does_not_fit_the_twin_before_queueing(client: FlaskClient) -> None:
    twin_id = _twin(client)["id"]
    bad = {
        "name": "x",
        "duration": 3,
        "events": [{"type": "process_failure", "target_uri": "ghost", "step": 0}],
    }
    response = client.post("/api/v1/queue/digital-twins/enqueue", json={"twin_id": twin_id, "scenario": bad})
    assert response.status_code == 422
    assert response.json["errors"] == [
        {"location": "events[0].target_uri", "message": "no entity 'ghost' in this twin"}
    ]
    assert client.get("/api/v1/queue/jobs?kind=digital_twin").json["total"] == 0


def test_enqueue_for_an_unknown_twin_is_a_404(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/queue/digital-twins/enqueue", json={"twin_id": "nope", "scenario_id": "x"}
    )
    assert response.status_code == 404


def test_whatif_refuses_changes_naming_a_missing_entity(client: FlaskClient) -> None:
    twin_id = _twin(client)["id"]
    body = {
        "scenario": {"name": "s", "duration": 3},
        "changes": [{"op": "set_capacity", "uri": "q", "capacity": 3}],
    }
    response = client.post(f"/api/v1/twins/{twin_id}/whatif", json=body)
    assert response.status_code == 422
    assert response.json["errors"][0]["location"] == "changes[0].uri"


def test_a_finished_pipeline_jobs_output_tables_become_a_twin(client: FlaskClient) -> None:
    teams = [
        {"id": "a", "kind": "team", "cap": 10, "load": 0.5},
        {"id": "b", "kind": "team", "cap": 20, "load": 0.9},
    ]
    links = [{"from": "a", "to": "b", "w": 0.5}]
    steps = [
        {"name": "teams", "plugin": "Utility.noop", "config": {"value": teams}},
        {"name": "links", "plugin": "Utility.noop", "config": {"value": links}},
    ]
    executed = client.post(
        "/api/v1/pipelines/execute",
        json={"pipeline_yaml": json.dumps({"name": "org", "steps": steps})},  # JSON is YAML
    )
    assert executed.status_code == 200 and executed.json["success"], executed.json
    body = {
        "name": "org",
        "pipeline_output": {
            "job_id": executed.json["job_id"],
            "entities_key": "teams",
            "relationships_key": "links",
        },
        "mapping": {
            "entities": {"uri": "id", "type": "kind", "capacity": "cap", "utilization": "load"},
            "relationships": {"source_uri": "from", "target_uri": "to", "strength": "w"},
        },
    }
    imported = client.post("/api/v1/twins/import", json=body)
    assert imported.status_code == 201, imported.json
    detail = client.get(f"/api/v1/twins/{imported.json['id']}").json
    assert [(e["uri"], e["state"]["capacity"]) for e in detail["entities"]] == [("a", 10.0), ("b", 20.0)]
    assert detail["relationships"] == [
        {"source_uri": "a", "target_uri": "b", "type": "depends_on", "strength": 0.5}
    ]
