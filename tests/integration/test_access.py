"""Who may call what: every endpoint in the OpenAPI document refuses a missing key (401) and a role
without its permission (403), and lets a role with it through."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.app import create_app
from shared.config import Settings
from shared.db.engine import Database
from shared.security.keys import create_api_key
from shared.security.permissions import Role, role_allows

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
_HTTP_METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture()
def app(settings: Settings, db: Database) -> Iterator[Flask]:
    application = create_app(settings)
    yield application
    application.extensions["mimir"].close()


@pytest.fixture()
def role_keys(db: Database) -> dict[Role, str]:
    return {role: create_api_key(db, name=f"test {role.value}", role=role.value).secret for role in Role}


def _operations(app: Flask) -> list[tuple[str, str, dict[str, Any]]]:
    document = app.test_client().get("/api/openapi.json").json
    assert document is not None
    return [
        (method.upper(), re.sub(r"\{[^}]+\}", "x", path), operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in _HTTP_METHODS
    ]


def _call(client: FlaskClient, method: str, path: str, key: str | None) -> int:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    body = {} if method in ("POST", "PUT", "PATCH") else None
    response = client.open(path, method=method, json=body, headers=headers)
    response.close()  # an event stream holds its slot until its response is closed
    return response.status_code


def test_every_operation_declares_a_permission(app: Flask) -> None:
    operations = _operations(app)
    assert len(operations) > 30
    undeclared = [f"{m} {p}" for m, p, op in operations if "x-permission" not in op]
    assert undeclared == []


def test_every_protected_operation_refuses_a_missing_key(app: Flask) -> None:
    client = app.test_client()
    protected = [(m, p) for m, p, op in _operations(app) if op["x-permission"] and "x-public-while" not in op]
    refused = {(m, p): _call(client, m, p, None) for m, p in protected}
    assert set(refused.values()) == {401}, refused


def test_every_operation_refuses_roles_without_its_permission(app: Flask, role_keys: dict[Role, str]) -> None:
    client = app.test_client()
    permissions = app.extensions["mimir"].platform.permissions
    checked = 0
    for method, path, operation in _operations(app):
        if not operation["x-permission"]:
            continue
        permission = permissions.get(operation["x-permission"])
        for role, key in role_keys.items():
            status = _call(client, method, path, key)
            if role_allows(role, permission):
                assert status not in (401, 403), (role, method, path, status)
            else:
                assert status == 403, (role, method, path, status)
                checked += 1
    assert checked > 10  # viewers can't write and operators can't administer keys: many refusals checked


def test_public_operations_answer_without_a_key(app: Flask) -> None:
    client = app.test_client()
    open_ones = [(m, p) for m, p, op in _operations(app) if "x-public-while" in op or not op["x-permission"]]
    assert ("GET", "/health") in open_ones
    assert all(_call(client, m, p, None) not in (401, 403) for m, p in open_ones)


def test_health_needs_a_key_when_configured_private(settings: Settings, db: Database) -> None:
    app = create_app(settings.with_overrides(public_health=False))
    assert app.test_client().get("/health").status_code == 401
    app.extensions["mimir"].db.dispose()


def test_changing_operations_need_more_than_a_read_permission(app: Flask) -> None:
    read_only_posts = {
        "/api/v1/pipelines/x/validate",
        "/api/v1/pipelines/validate",
        "/api/v1/scheduler/preview",
        "/api/v1/workflows/validate",
        "/api/v1/vectors/collections/x/search",  # a read; POST because the query may be a long vector
    }
    loose = [
        (m, p, op["x-permission"])
        for m, p, op in _operations(app)
        if m != "GET" and p not in read_only_posts and str(op["x-permission"]).endswith(":read")
    ]
    assert loose == []


def test_a_viewer_can_read_jobs_but_not_run_or_cancel_them(client: FlaskClient, db: Database) -> None:
    viewer = create_api_key(db, name="dashboard", role="viewer").secret
    headers = {"Authorization": f"Bearer {viewer}"}
    body = {"pipeline_yaml": "name: p\nsteps:\n  - {name: a, plugin: Utility.noop}\n"}
    refused = client.post("/api/v1/queue/pipelines/enqueue", json=body, headers=headers)
    assert refused.status_code == 403
    assert refused.json["message"] == "this key's role (viewer) lacks the pipelines:execute permission"
    job_id = client.post("/api/v1/queue/pipelines/enqueue", json=body).json["job_id"]
    assert client.get(f"/api/v1/queue/jobs/{job_id}", headers=headers).status_code == 200
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel", headers=headers).status_code == 403
