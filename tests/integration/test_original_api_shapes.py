"""Requests shaped as the original Mimir documented them (#10), beside today's shapes."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from shared.config import Settings
from tests.integration.conftest import pipeline_yaml

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True),
]

SCHEDULES = "/api/v1/scheduler/jobs"
TWO_PIPELINES = """pipelines:
  - name: data-processing-pipeline
    steps: [{name: a, plugin: Utility.noop, config: {value: processed}, output: result}]
  - name: other
    steps: [{name: a, plugin: Utility.noop, config: {value: other}, output: result}]
"""


def _stored(client: FlaskClient, name: str = "data-processing-pipeline") -> str:
    body = {"pipeline_yaml": pipeline_yaml("{name: a, plugin: Utility.noop, config: {value: 1}}", name=name)}
    response = client.post("/api/v1/pipelines", json=body)
    assert response.status_code == 201, response.json
    return str(response.json["id"])


def test_a_schedule_in_the_original_shape_is_created_with_the_clients_id(client: FlaskClient) -> None:
    pipeline_id = _stored(client)
    original = {
        "id": "daily-processing",
        "name": "Daily Data Processing",
        "pipeline": "data-processing-pipeline",
        "cron_expr": "0 2 * * *",
        "timezone": "UTC",
        "enabled": True,
    }
    response = client.post(SCHEDULES, json=original)
    assert response.status_code == 201, response.json
    assert (response.json["id"], response.json["pipeline_id"]) == ("daily-processing", pipeline_id)
    assert client.get(f"{SCHEDULES}/daily-processing").json["name"] == "Daily Data Processing"


def test_the_original_pipeline_field_may_hold_a_pipeline_id(client: FlaskClient) -> None:
    pipeline_id = _stored(client)
    body = {"name": "by-id", "pipeline": pipeline_id, "cron_expr": "@daily"}
    response = client.post(SCHEDULES, json=body)
    assert response.status_code == 201, response.json
    assert response.json["pipeline_name"] == "data-processing-pipeline"


def test_a_schedule_id_already_taken_is_a_conflict(client: FlaskClient) -> None:
    _stored(client)
    body = {"id": "s1", "name": "a", "pipeline": "data-processing-pipeline", "cron_expr": "@daily"}
    assert client.post(SCHEDULES, json=body).status_code == 201
    response = client.post(SCHEDULES, json={**body, "name": "b"})
    assert response.status_code == 409 and "'s1' already exists" in response.json["message"]


def test_an_unknown_pipeline_in_the_original_field_is_named(client: FlaskClient) -> None:
    response = client.post(SCHEDULES, json={"name": "a", "pipeline": "nope", "cron_expr": "@daily"})
    assert response.status_code in (400, 422) and "'nope'" in response.json["message"]


def test_todays_schedule_shape_still_works(client: FlaskClient) -> None:
    _stored(client)
    body = {"name": "a", "pipeline_name": "data-processing-pipeline", "cron_expr": "@daily"}
    response = client.post(SCHEDULES, json=body)
    assert response.status_code == 201, response.json
    assert len(response.json["id"]) == 36


def test_execute_with_a_file_and_a_name_runs_that_pipeline_of_the_file(
    client: FlaskClient, settings: Settings
) -> None:
    settings.resolved_pipelines_dir.mkdir(parents=True, exist_ok=True)
    (settings.resolved_pipelines_dir / "all.yaml").write_text(TWO_PIPELINES)
    body = {"pipeline_file": "all.yaml", "pipeline_name": "other"}
    response = client.post("/api/v1/pipelines/execute", json=body)
    assert response.status_code == 200, response.json
    assert response.json["context"] == {"result": "other"}
    enqueued = client.post("/api/v1/queue/pipelines/enqueue", json=body)
    assert enqueued.status_code == 202 and enqueued.json["pipeline_name"] == "other"
    missing = client.post("/api/v1/pipelines/execute", json={**body, "pipeline_name": "absent"})
    assert missing.status_code in (400, 422)
    assert "no pipeline named 'absent'" in missing.json["message"]


def test_pipeline_status_shows_its_latest_run(client: FlaskClient) -> None:
    pipeline_id = _stored(client)
    before = client.get(f"/api/v1/pipelines/{pipeline_id}/status")
    assert before.status_code == 200
    assert (before.json["status"], before.json["runs"], before.json["last_job_id"]) == ("never_run", 0, None)
    job_id = client.post(f"/api/v1/pipelines/{pipeline_id}/execute", json={}).json["job_id"]
    after = client.get(f"/api/v1/pipelines/{pipeline_id}/status").json
    assert (after["status"], after["runs"], after["last_job_id"]) == ("succeeded", 1, job_id)
    assert client.get("/api/v1/pipelines/nope/status").status_code == 404
