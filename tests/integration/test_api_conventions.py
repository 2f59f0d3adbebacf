"""What every API client relies on (#11 items 14-18): request bodies that say what they expect, declared
inputs checked at enqueue, offline API docs, one error rule and shape, and job lists as summaries."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from tests.integration.conftest import pipeline_yaml

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]

ENQUEUE = "/api/v1/queue/pipelines/enqueue"
NEEDS_REGION = (
    "name: by-region\ninputs: [region]\nsteps:\n"
    "  - {name: a, plugin: Utility.noop, config: {value: '{{ region }}'}}\n"
)


def _error(response: object, status: int) -> dict:
    body = response.json  # type: ignore[attr-defined]
    assert response.status_code == status, body  # type: ignore[attr-defined]
    assert (body["code"], isinstance(body["message"], str)) == (status, True)
    assert isinstance(body["errors"], list)
    assert all(set(e) == {"location", "message"} for e in body["errors"]), body["errors"]
    return dict(body)


def test_a_pipeline_body_with_a_wrong_field_is_told_the_fields_there_are(client: FlaskClient) -> None:
    body = _error(client.post("/api/v1/pipelines", json={"yaml": "name: a"}), 422)
    assert "json.yaml: Unknown field; the fields are: pipeline, pipeline_yaml." in body["message"]
    assert body["errors"][0]["location"] == "json.yaml"


def test_a_pipeline_body_with_neither_field_names_both(client: FlaskClient) -> None:
    body = _error(client.post("/api/v1/pipelines", json={}), 422)
    assert "'pipeline_yaml'" in body["message"] and "'pipeline'" in body["message"]


@pytest.mark.parametrize("path", [ENQUEUE, "/api/v1/pipelines/execute"])
def test_a_run_without_a_declared_input_is_refused_naming_it(client: FlaskClient, path: str) -> None:
    body = _error(client.post(path, json={"pipeline_yaml": NEEDS_REGION}), 422)
    assert "context.region" in body["message"]
    assert body["errors"] == [
        {"location": "context.region", "message": "required: pipeline 'by-region' declares input 'region'"}
    ]
    assert client.get("/api/v1/queue/jobs").json["total"] == 0


def test_a_run_of_a_stored_pipeline_without_a_declared_input_is_refused(client: FlaskClient) -> None:
    pipeline_id = client.post("/api/v1/pipelines", json={"pipeline_yaml": NEEDS_REGION}).json["id"]
    _error(client.post(f"/api/v1/pipelines/{pipeline_id}/execute", json={}), 422)
    ok = client.post(f"/api/v1/pipelines/{pipeline_id}/execute", json={"context": {"region": "eu"}})
    assert ok.status_code == 200 and ok.json["success"] is True


def test_api_docs_load_swagger_ui_from_this_server(client: FlaskClient) -> None:
    page = client.get("/api/docs", headers={"Authorization": ""})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "cdn" not in html and "/api/docs/assets/swagger-ui-bundle.js" in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        response = client.get(f"/api/docs/assets/{asset}", headers={"Authorization": ""})
        size = len(response.data)
        response.close()
        assert response.status_code == 200 and size > 1000, asset


def test_unparseable_bodies_are_400_and_invalid_ones_422(client: FlaskClient) -> None:
    broken = client.post(ENQUEUE, data="{not json", headers={"Content-Type": "application/json"})
    _error(broken, 400)
    _error(client.post(ENQUEUE, json={"pipeline_yaml": "name: a\nsteps: [\n"}), 400)
    _error(client.post(ENQUEUE, json={"pipeline_yaml": "- a list"}), 422)
    _error(client.post(ENQUEUE, json={"context": {}}), 422)
    _error(client.get("/api/v1/queue/jobs?page_size=100000"), 422)
    _error(client.get("/api/v1/queue/jobs/x/wait?timeout=soon"), 422)
    _error(client.get("/api/v1/queue/jobs/missing"), 404)


def test_the_job_list_gives_summaries_and_the_job_its_output(client: FlaskClient) -> None:
    yaml = pipeline_yaml("{name: a, plugin: Utility.noop, config: {value: big}, output: out}")
    job_id = client.post("/api/v1/pipelines/execute", json={"pipeline_yaml": yaml}).json["job_id"]
    item = client.get("/api/v1/queue/jobs").json["items"][0]
    assert item["id"] == job_id and item["status"] == "succeeded"
    assert not {"output", "context", "steps"} & set(item)
    assert client.get(f"/api/v1/queue/jobs/{job_id}").json["output"] == {"out": "big"}


def test_a_schedule_without_a_declared_input_of_its_pipeline_is_refused(client: FlaskClient) -> None:
    client.post("/api/v1/pipelines", json={"pipeline_yaml": NEEDS_REGION})
    schedule = {"name": "s", "pipeline_name": "by-region", "cron_expr": "@daily"}
    body = _error(client.post("/api/v1/scheduler/jobs", json=schedule), 422)
    assert "context.region" in body["message"]
    ok = client.post("/api/v1/scheduler/jobs", json={**schedule, "context": {"region": "eu"}})
    assert ok.status_code == 201, ok.json
