"""Malformed requests get a 4xx in the one error format, saying what is wrong, and change nothing."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from shared.config import Settings

pytestmark = pytest.mark.integration

ENQUEUE = "/api/v1/queue/pipelines/enqueue"

CASES = [
    ("malformed YAML", {"pipeline_yaml": "name: a\nsteps: [\n  - x: : :"}, 400, "does not parse"),
    (
        "unknown plugin",
        {"pipeline_yaml": "name: a\nsteps:\n  - {name: s, plugin: Input.nope}"},
        422,
        "unknown plugin 'Input.nope'",
    ),
    (
        "wrong type of context",
        {"pipeline_yaml": "name: a\nsteps: []", "context": [1, 2]},
        422,
        "json.context",
    ),
    ("unknown field", {"pipeline_yaml": "name: a", "priority": 9}, 422, "json.priority: Unknown field"),
    ("no pipeline reference", {"context": {}}, 422, "give exactly one of"),
    (
        "two pipeline references",
        {"pipeline_name": "a", "pipeline_id": "b"},
        422,
        "given: pipeline_name, pipeline_id",
    ),
    ("unknown pipeline name", {"pipeline_name": "ghost"}, 404, "no pipeline named 'ghost'"),
    ("steps not a list", {"pipeline_yaml": "name: a\nsteps: 3"}, 422, "pipeline.steps: required"),
    ("YAML python tag", {"pipeline_yaml": "name: !!python/name:os.system\nsteps: []"}, 400, "does not parse"),
]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("case", "body", "status", "fragment"), CASES, ids=[c[0] for c in CASES])
def test_bad_enqueue_gets_a_clear_4xx_and_queues_nothing(
    client: FlaskClient, case: str, body: dict, status: int, fragment: str
) -> None:
    response = client.post(ENQUEUE, json=body)
    assert response.status_code == status, response.json
    assert set(response.json) >= {"code", "status", "message"}
    assert fragment in response.json["message"], response.json
    assert "Traceback" not in response.get_data(as_text=True)
    assert client.get("/api/v1/queue/jobs").json["total"] == 0


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_oversized_body_is_refused_with_413(client: FlaskClient, settings: Settings) -> None:
    response = client.post(ENQUEUE, data="x" * (settings.max_body_bytes + 1), content_type="application/json")
    assert response.status_code == 413
    assert response.json["code"] == 413


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_invalid_json_body_is_a_400(client: FlaskClient) -> None:
    response = client.post(ENQUEUE, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert "Invalid JSON body" in response.json["message"]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_missing_job_is_a_404_naming_it(client: FlaskClient) -> None:
    response = client.get("/api/v1/queue/jobs/00000000-0000-0000-0000-000000000000/wait?timeout=1s")
    assert response.status_code == 404
    assert response.json["message"] == "job 00000000-0000-0000-0000-000000000000 not found"


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("timeout", ["-1s", "soon", "1e999s", "10 years", "601s"])
def test_bad_wait_timeout_is_a_422(client: FlaskClient, timeout: str) -> None:
    response = client.get(f"/api/v1/queue/jobs/x/wait?timeout={timeout}")
    assert response.status_code == 422, response.json
    assert "timeout" in response.json["message"]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_unknown_route_and_method_use_the_error_format(client: FlaskClient) -> None:
    assert client.get("/api/v1/nothing").json["code"] == 404
    assert client.delete("/api/v1/queue/status").json["code"] == 405


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_page_size_over_the_cap_is_refused(client: FlaskClient) -> None:
    response = client.get("/api/v1/queue/jobs?page_size=999")
    assert response.status_code == 422
    assert "page_size" in response.json["message"]
