"""The calls the web UI makes that the rest of the API did not offer: who am I, checking unsaved YAML with
lines, jobs finished per minute, and the trigger filter."""

from __future__ import annotations

import uuid

import pytest
from flask.testing import FlaskClient

from tests.integration.conftest import pipeline_yaml

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]


def _key(client: FlaskClient, role: str) -> str:
    response = client.post("/api/v1/auth/apikeys", json={"name": f"{role} ui test", "role": role})
    assert response.status_code == 201, response.json
    return str(response.json["key"])


def test_whoami_tells_a_viewer_it_may_read_but_not_run(client: FlaskClient) -> None:
    viewer = _key(client, "viewer")
    response = client.get("/api/v1/auth/whoami", headers={"Authorization": f"Bearer {viewer}"})
    assert response.status_code == 200
    assert response.json["role"] == "viewer"
    assert response.json["name"] == "viewer ui test"
    assert "pipelines:read" in response.json["permissions"]
    assert "pipelines:execute" not in response.json["permissions"]


def test_whoami_without_a_key_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/auth/whoami", headers={"Authorization": ""})
    assert response.status_code == 401


def test_validating_unsaved_yaml_gives_each_problem_its_line(client: FlaskClient) -> None:
    text = "name: draft\nsteps:\n  - name: a\n    plugin: Utility.sleep\n    confg: {seconds: 1}\n"
    response = client.post("/api/v1/pipelines/validate", json={"pipeline_yaml": text})
    assert response.status_code == 200
    assert response.json["valid"] is False
    by_location = {e["location"]: e for e in response.json["errors"]}
    assert by_location["pipeline.steps[0].confg"]["line"] == 5
    assert "unknown field" in by_location["pipeline.steps[0].confg"]["message"]


def test_validating_yaml_that_does_not_parse_points_at_the_break(client: FlaskClient) -> None:
    response = client.post("/api/v1/pipelines/validate", json={"pipeline_yaml": "name: x\nsteps: [\n"})
    assert response.status_code == 200
    [error] = response.json["errors"]
    assert "does not parse" in error["message"]
    assert error["line"] == 3


def test_validating_a_valid_pipeline_stores_nothing(client: FlaskClient) -> None:
    text = pipeline_yaml("{name: a, plugin: Utility.noop}", name=f"draft-{uuid.uuid4().hex[:6]}")
    response = client.post("/api/v1/pipelines/validate", json={"pipeline_yaml": text})
    assert response.json == {"valid": True, "errors": []}
    assert client.get("/api/v1/pipelines").json["total"] == 0


def test_validate_refuses_unknown_fields(client: FlaskClient) -> None:
    response = client.post("/api/v1/pipelines/validate", json={"pipeline_yaml": "x", "yaml": "y"})
    assert response.status_code == 422
    assert "yaml" in response.json["message"]


def test_the_timeline_counts_jobs_finished_this_minute(client: FlaskClient) -> None:
    text = pipeline_yaml("{name: a, plugin: Utility.noop}")
    assert client.post("/api/v1/pipelines/execute", json={"pipeline_yaml": text}).status_code == 200
    response = client.get("/api/v1/monitoring/jobs/timeline?minutes=5")
    assert response.status_code == 200
    assert len(response.json) == 5
    assert response.json[-1]["succeeded"] == 1
    assert sum(m["failed"] for m in response.json) == 0


def test_jobs_can_be_filtered_by_what_triggered_them(client: FlaskClient) -> None:
    text = pipeline_yaml("{name: a, plugin: Utility.noop}")
    client.post("/api/v1/pipelines/execute", json={"pipeline_yaml": text})
    assert client.get("/api/v1/queue/jobs?triggered_by=api").json["total"] == 1
    assert client.get("/api/v1/queue/jobs?triggered_by=scheduler").json["total"] == 0
    assert client.get("/api/v1/queue/jobs?triggered_by=cron").status_code == 422
