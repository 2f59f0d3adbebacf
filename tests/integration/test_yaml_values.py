"""YAML values that a JSON column cannot hold, sent through the API (#11 item 6): dates are kept as ISO
text, the rest are refused naming where they are, never a 500 at the insert."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]

DATED = "name: dated\nsteps:\n  - {name: a, plugin: Utility.noop, config: {value: 2024-01-02}, output: day}\n"
BINARY = "name: blob\nsteps:\n  - {name: a, plugin: Utility.noop, config: {value: !!binary aGVsbG8=}}\n"


def test_a_pipeline_with_an_unquoted_date_is_stored_with_the_date_as_text(client: FlaskClient) -> None:
    response = client.post("/api/v1/pipelines", json={"pipeline_yaml": DATED})
    assert response.status_code == 201, response.json
    assert response.json["definition"]["steps"][0]["config"] == {"value": "2024-01-02"}


def test_an_enqueued_pipeline_with_an_unquoted_date_is_accepted(client: FlaskClient) -> None:
    response = client.post("/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": DATED})
    assert response.status_code == 202, response.json


@pytest.mark.parametrize("path", ["/api/v1/pipelines", "/api/v1/queue/pipelines/enqueue"])
def test_a_binary_value_is_refused_naming_its_line(client: FlaskClient, path: str) -> None:
    response = client.post(path, json={"pipeline_yaml": BINARY})
    assert response.status_code in (400, 422)
    assert "line 3" in response.json["message"] and "!!binary" in response.json["message"]
