"""Caps on what a client can send, and fields a client may not set: each refused with a 4xx naming it."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from flask.testing import FlaskClient

from mimir.testing.stack import ApiProcess
from shared.config import Settings
from shared.pipelines.loader import MAX_YAML_BYTES
from shared.pipelines.validation import MAX_STEPS
from tests.integration.conftest import pipeline_yaml

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]

ENQUEUE = "/api/v1/queue/pipelines/enqueue"
NOOP = "{name: s, plugin: Utility.sleep, config: {seconds: 0}}"


def _assert_refused(response: requests.Response, status: int, fragment: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["code"] == status and body["status"] and fragment in body["message"], body


def test_an_oversized_body_gets_413_from_a_real_api_process(api: ApiProcess, settings: Settings) -> None:
    too_big = b'{"pipeline_yaml": "' + b"x" * settings.max_body_bytes + b'"}'
    headers = {**api.headers, "Content-Type": "application/json"}
    response = requests.post(f"{api.url}{ENQUEUE}", data=too_big, headers=headers, timeout=60)
    _assert_refused(response, 413, "")


def test_an_oversized_chunked_body_gets_413_from_a_real_api_process(
    api: ApiProcess, settings: Settings
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"pipeline_yaml": "'
        for _ in range(settings.max_body_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'"}'

    headers = {**api.headers, "Content-Type": "application/json"}
    response = requests.post(f"{api.url}{ENQUEUE}", data=chunks(), headers=headers, timeout=60)
    _assert_refused(response, 413, "")
    assert requests.get(f"{api.url}/api/v1/queue/jobs", headers=api.headers, timeout=30).json()["total"] == 0


def test_a_wait_timeout_over_the_cap_names_the_cap(client: FlaskClient, settings: Settings) -> None:
    response = client.get(f"/api/v1/queue/jobs/x/wait?timeout={settings.max_wait_seconds + 1:g}s")
    assert response.status_code == 422
    assert response.json["message"] == f"timeout: at most {settings.max_wait_seconds:g}s"


@pytest.mark.parametrize("path", ["/api/v1/queue/jobs", "/api/v1/pipelines", "/api/v1/scheduler/jobs"])
def test_a_page_size_over_the_cap_names_the_field(client: FlaskClient, settings: Settings, path: str) -> None:
    response = client.get(f"{path}?page_size={settings.max_page_size + 1}")
    assert response.status_code == 422, response.json
    assert response.json["message"] == f"page_size: at most {settings.max_page_size}"


def test_pipeline_yaml_over_the_size_cap_names_the_field(client: FlaskClient) -> None:
    text = "name: big\n# " + "x" * MAX_YAML_BYTES + "\nsteps: []\n"
    response = client.post("/api/v1/pipelines", json={"pipeline_yaml": text})
    assert response.status_code == 422, response.json
    assert "json.pipeline_yaml: Length must be between 1 and" in response.json["message"]


@pytest.mark.parametrize("endpoint", ["/api/v1/pipelines", ENQUEUE])
def test_too_many_steps_names_the_field(client: FlaskClient, endpoint: str) -> None:
    text = pipeline_yaml(
        *[f"{{name: s{i}, plugin: Utility.sleep, config: {{seconds: 0}}}}" for i in range(MAX_STEPS + 1)]
    )
    response = client.post(endpoint, json={"pipeline_yaml": text})
    assert response.status_code == 422, response.json
    assert f"pipeline.steps: at most {MAX_STEPS} steps are allowed" in response.json["message"]


def _stored_pipeline(client: FlaskClient) -> str:
    response = client.post("/api/v1/pipelines", json={"pipeline_yaml": pipeline_yaml(NOOP, name="nightly")})
    assert response.status_code == 201, response.json
    return str(response.json["id"])


SERVER_SET_FIELDS = ["id", "status", "created_at", "updated_at", "revision", "worker_id", "attempts"]


@pytest.mark.parametrize("field", SERVER_SET_FIELDS)
def test_fields_only_the_server_sets_are_refused_on_every_write(client: FlaskClient, field: str) -> None:
    pipeline_id = _stored_pipeline(client)
    schedule = {"name": "s", "pipeline_name": "nightly", "cron_expr": "@daily"}
    writes = [
        ("post", "/api/v1/pipelines", {"pipeline_yaml": pipeline_yaml(NOOP)}),
        ("put", f"/api/v1/pipelines/{pipeline_id}", {"pipeline_yaml": pipeline_yaml(NOOP, name="nightly")}),
        ("post", f"/api/v1/pipelines/{pipeline_id}/clone", {"name": "copy"}),
        ("post", f"/api/v1/pipelines/{pipeline_id}/execute", {}),
        ("post", "/api/v1/pipelines/execute", {"pipeline_id": pipeline_id}),
        ("post", ENQUEUE, {"pipeline_id": pipeline_id}),
        ("post", "/api/v1/scheduler/jobs", schedule),
        ("post", "/api/v1/auth/apikeys", {"name": "k", "role": "viewer"}),
    ]
    if field == "id":  # a schedule's id is the client's choice, as in the original Mimir's requests
        writes = [w for w in writes if w[1] != "/api/v1/scheduler/jobs"]
    for method, path, body in writes:
        response = getattr(client, method)(path, json={**body, field: "injected"})
        assert response.status_code == 422, (path, response.json)
        assert f"json.{field}: Unknown field" in response.json["message"], (path, response.json)
    assert client.get("/api/v1/queue/jobs").json["total"] == 0
    assert client.get("/api/v1/pipelines").json["total"] == 1


def test_role_cannot_be_set_where_it_is_not_a_field(client: FlaskClient) -> None:
    response = client.post(ENQUEUE, json={"pipeline_yaml": pipeline_yaml(NOOP), "role": "admin"})
    assert response.status_code == 422
    assert "json.role: Unknown field" in response.json["message"]


def test_server_fields_inside_a_pipeline_object_are_refused(client: FlaskClient) -> None:
    pipeline = {"name": "p", "steps": [{"name": "s", "plugin": "Utility.sleep", "config": {"seconds": 0}}]}
    response = client.post("/api/v1/pipelines", json={"pipeline": {**pipeline, "id": "x", "revision": 9}})
    assert response.status_code == 422, response.json
    assert "pipeline.id: unknown field" in str(response.json), response.json


@pytest.mark.parametrize("authorised", [True, False])
def test_an_8_mb_body_gets_a_413_a_client_that_sends_before_reading_can_read(
    api: ApiProcess, settings: Settings, authorised: bool
) -> None:
    """http.client sends the whole body, then reads: the server used to close after about 4 MB unread, so
    the client got a broken pipe instead of the answer."""
    body = b'{"pipeline_yaml": "' + b"x" * (8 * 1024 * 1024) + b'"}'
    headers = {**(api.headers if authorised else {}), "Content-Type": "application/json"}
    connection = http.client.HTTPConnection(urlsplit(api.url).netloc, timeout=60)
    try:
        connection.request("POST", ENQUEUE, body=body, headers=headers)
        response = connection.getresponse()
        answer = json.loads(response.read())
    finally:
        connection.close()
    assert response.status == 413
    assert "larger than 2097152 bytes (server.max_body_bytes)" in answer["message"]
    assert requests.get(f"{api.url}/health", timeout=30).status_code == 200
