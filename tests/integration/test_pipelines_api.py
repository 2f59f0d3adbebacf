"""The pipelines API against a real database (SQLite and PostgreSQL), through the Flask app."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.integration.conftest import pipeline_yaml

NOOP = "{name: a, plugin: Utility.noop, config: {value: 1}, output: one}"


def _create(client: FlaskClient, name: str = "orders") -> dict:
    response = client.post("/api/v1/pipelines", json={"pipeline_yaml": pipeline_yaml(NOOP, name=name)})
    assert response.status_code == 201, response.json
    return response.json


def test_created_pipeline_is_listed_at_revision_one(client: FlaskClient) -> None:
    created = _create(client)
    listing = client.get("/api/v1/pipelines").json
    assert [(p["name"], p["revision"]) for p in listing["items"]] == [("orders", 1)]
    assert created["definition"]["steps"][0]["plugin"] == "Utility.noop"


def test_pipeline_can_be_created_from_an_object(client: FlaskClient) -> None:
    body = {"pipeline": {"name": "obj", "steps": [{"name": "a", "plugin": "Utility.noop"}]}}
    response = client.post("/api/v1/pipelines", json=body)
    assert response.status_code == 201
    assert response.json["source_yaml"] is None


def test_update_raises_the_revision_and_keeps_history(client: FlaskClient) -> None:
    pipeline_id = _create(client)["id"]
    updated = client.put(
        f"/api/v1/pipelines/{pipeline_id}",
        json={"pipeline_yaml": pipeline_yaml(NOOP, "{name: b, plugin: Utility.noop}", name="orders")},
    )
    assert updated.status_code == 200
    assert updated.json["revision"] == 2
    history = client.get(f"/api/v1/pipelines/{pipeline_id}/history").json
    assert [(h["revision"], len(h["definition"]["steps"])) for h in history] == [(2, 2), (1, 1)]


def test_duplicate_name_is_a_conflict(client: FlaskClient) -> None:
    _create(client)
    response = client.post("/api/v1/pipelines", json={"pipeline_yaml": pipeline_yaml(NOOP, name="orders")})
    assert response.status_code == 409
    assert "already exists" in response.json["message"]


def test_clone_copies_under_a_new_name(client: FlaskClient) -> None:
    pipeline_id = _create(client)["id"]
    clone = client.post(f"/api/v1/pipelines/{pipeline_id}/clone", json={"name": "orders-2"})
    assert clone.status_code == 201
    assert (clone.json["name"], clone.json["revision"]) == ("orders-2", 1)


def test_delete_removes_the_pipeline(client: FlaskClient) -> None:
    pipeline_id = _create(client)["id"]
    assert client.delete(f"/api/v1/pipelines/{pipeline_id}").status_code == 204
    assert client.get(f"/api/v1/pipelines/{pipeline_id}").status_code == 404


def test_validate_reports_a_stored_pipeline_valid(client: FlaskClient) -> None:
    pipeline_id = _create(client)["id"]
    assert client.post(f"/api/v1/pipelines/{pipeline_id}/validate").json == {"valid": True, "errors": []}


def test_invalid_pipeline_is_refused_with_every_problem_located(client: FlaskClient) -> None:
    text = "name: bad\nsteps:\n  - {name: a, plugin: Input.nothing}\n  - {name: b, plugin: Utility.sleep}\n"
    response = client.post("/api/v1/pipelines", json={"pipeline_yaml": text})
    assert response.status_code == 422
    assert [e["location"] for e in response.json["errors"]] == [
        "pipeline.steps[0].plugin",
        "pipeline.steps[1].config",
    ]
    assert client.get("/api/v1/pipelines").json["total"] == 0


def test_sync_execute_by_name_returns_the_context_and_records_a_job(client: FlaskClient) -> None:
    _create(client)
    result = client.post("/api/v1/pipelines/execute", json={"pipeline_name": "orders", "context": {"x": 1}})
    assert result.status_code == 200
    assert result.json["success"] is True
    assert result.json["context"] == {"x": 1, "one": 1}
    job = client.get(f"/api/v1/queue/jobs/{result.json['job_id']}").json
    assert (job["status"], job["pipeline_revision"], job["triggered_by"]) == ("succeeded", 1, "api")


def test_sync_execute_of_a_failing_pipeline_reports_the_step(client: FlaskClient) -> None:
    text = pipeline_yaml("{name: read, plugin: Utility.sleep, config: {seconds: '{{ n }}'}}")
    result = client.post("/api/v1/pipelines/execute", json={"pipeline_yaml": text, "context": {"n": "soon"}})
    assert result.status_code == 200
    assert result.json["success"] is False
    assert result.json["error"].startswith("step 0 (read) failed:")


def test_execute_stored_pipeline_by_id(client: FlaskClient) -> None:
    pipeline_id = _create(client)["id"]
    result = client.post(f"/api/v1/pipelines/{pipeline_id}/execute", json={})
    assert result.json["context"] == {"one": 1}


def test_pipeline_file_outside_the_pipelines_directory_is_refused(client: FlaskClient) -> None:
    result = client.post("/api/v1/pipelines/execute", json={"pipeline_file": "../../etc/passwd.yaml"})
    assert result.status_code == 422
    assert "outside the pipelines directory" in result.json["message"]


def test_plugins_are_listed_with_their_schemas(client: FlaskClient) -> None:
    listing = client.get("/api/v1/plugins").json
    assert "Input.csv" in {p["key"] for p in listing}
    one = client.get("/api/v1/plugins/Utility/sleep").json
    assert one["config_schema"]["required"] == ["seconds"]
    assert client.get("/api/v1/plugins/Utility/nope").status_code == 404


def test_openapi_document_lists_the_queue_paths(client: FlaskClient) -> None:
    paths = client.get("/api/openapi.json").json["paths"]
    assert "/api/v1/queue/jobs/{job_id}/wait" in paths
    assert "/api/v1/pipelines/{pipeline_id}/history" in paths
