"""API keys: created once-shown, stored as hashes, listed, revoked; sent as Bearer or X-API-Key."""

from __future__ import annotations

import subprocess
import sys

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from mimir.testing.stack import REPO_ROOT, settings_environment
from shared.config import ConfigError, Settings
from shared.db.engine import Database
from shared.security.keys import create_api_key, ensure_bootstrap_key, revoke_api_key

pytestmark = pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)
KEYS = "/api/v1/auth/apikeys"


def _as(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_created_key_is_shown_once_and_stored_only_as_a_hash(client: FlaskClient, db: Database) -> None:
    created = client.post(KEYS, json={"name": "ci pipeline", "role": "operator"})
    assert created.status_code == 201, created.json
    secret = created.json["key"]
    assert secret.startswith("mimir_") and len(secret) > 40
    listed = client.get(KEYS).json
    assert {k["name"] for k in listed} >= {"ci pipeline"}
    assert all("key" not in k for k in listed)
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT * FROM api_keys")).all()
    assert all(secret not in str(tuple(row)) for row in stored)
    assert client.get("/api/v1/queue/status", headers=_as(secret)).status_code == 200


def test_a_revoked_key_stops_working_at_once(client: FlaskClient) -> None:
    created = client.post(KEYS, json={"name": "temp", "role": "viewer"}).json
    assert client.get("/api/v1/queue/status", headers=_as(created["key"])).status_code == 200
    revoked = client.delete(f"{KEYS}/{created['id']}")
    assert revoked.status_code == 200 and revoked.json["revoked_at"]
    refused = client.get("/api/v1/queue/status", headers=_as(created["key"]))
    assert refused.status_code == 401
    assert refused.json["message"] == "the API key is not valid (unknown or revoked)"


def test_keys_are_accepted_in_the_x_api_key_header(client: FlaskClient, db: Database) -> None:
    secret = create_api_key(db, name="script", role="viewer").secret
    response = client.get("/api/v1/plugins", headers={"X-API-Key": secret, "Authorization": ""})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "authorization",
    ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer mimir_not-a-real-key-000000000000"],
)
def test_missing_or_wrong_credentials_get_401_with_a_challenge(
    client: FlaskClient, authorization: str
) -> None:
    response = client.get("/api/v1/queue/jobs", headers={"Authorization": authorization})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.json) >= {"code", "status", "message"}


def test_key_requests_are_validated(client: FlaskClient) -> None:
    assert client.post(KEYS, json={"name": "x", "role": "root"}).status_code == 422
    assert client.post(KEYS, json={"name": "", "role": "viewer"}).status_code == 422
    mass = client.post(KEYS, json={"name": "x", "role": "viewer", "digest": "0" * 64})
    assert mass.status_code == 422 and "digest" in mass.json["message"]
    assert client.delete(f"{KEYS}/no-such-key").status_code == 404


def test_a_revoked_bootstrap_key_is_not_brought_back(db: Database) -> None:
    secret = "mimir_bootstrap-for-this-test-0123456789"
    assert ensure_bootstrap_key(db, secret)
    issued = [k for k in _keys(db) if k[1].startswith("bootstrap")]
    revoke_api_key(db, issued[-1][0])
    assert not ensure_bootstrap_key(db, secret)


def _keys(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as connection:
        return [
            tuple(r) for r in connection.execute(text("SELECT id, name FROM api_keys ORDER BY created_at"))
        ]


def test_mimir_keys_create_prints_a_working_key(
    settings: Settings, db: Database, client: FlaskClient
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mimir.cli", "keys", "create", "--role", "viewer", "--name", "from cli"],
        env=settings_environment(settings),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    secret = next(line.split()[1] for line in result.stdout.splitlines() if line.startswith("key:"))
    assert client.get("/api/v1/plugins", headers=_as(secret)).status_code == 200
    listed = subprocess.run(
        [sys.executable, "-m", "mimir.cli", "keys", "list"],
        env=settings_environment(settings),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "from cli" in listed and secret not in listed


def test_authentication_may_be_disabled_only_on_localhost(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="security.auth_enabled"):
        settings.with_overrides(auth_enabled=False, api_host="0.0.0.0")
    assert not settings.with_overrides(auth_enabled=False, api_host="127.0.0.1").auth_enabled
