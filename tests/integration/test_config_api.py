"""``GET /api/v1/config``: admins see the effective settings by config.yaml section; secrets never leave."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from mimir.testing.stack import ADMIN_KEY
from shared.config import Settings, load_settings
from shared.db.engine import Database
from shared.security.keys import create_api_key

pytestmark = [pytest.mark.integration, pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)]

CONFIG = "/api/v1/config"


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_keys_without_config_read_get_403(client: FlaskClient, db: Database, role: str) -> None:
    issued = create_api_key(db, name=f"a {role}", role=role)
    response = client.get(CONFIG, headers={"Authorization": f"Bearer {issued.secret}"})
    assert response.status_code == 403, response.json
    assert "config:read" in response.json["message"]
    assert "server" not in response.json


def test_no_key_gets_401(client: FlaskClient) -> None:
    assert client.get(CONFIG, headers={"Authorization": ""}).status_code == 401


def test_admin_gets_every_section_with_secrets_redacted(client: FlaskClient, settings: Settings) -> None:
    response = client.get(CONFIG)
    assert response.status_code == 200, response.json
    document = response.json
    assert set(document) >= {
        "server",
        "plugins",
        "scheduler",
        "monitoring",
        "logging",
        "persistence",
        "security",
    }
    assert document["server"]["max_body_bytes"] == settings.max_body_bytes
    assert document["files"]["directories"] == [str(p) for p in settings.resolved_file_directories]
    assert document["security"]["api_key"] == "***"
    assert document["persistence"]["database_url"] == settings.resolved_database_url  # no password in it
    body = response.get_data(as_text=True)
    assert ADMIN_KEY not in body


def test_passwords_inside_urls_are_redacted(settings: Settings, db: Database, tmp_path) -> None:
    from backend.app import create_app

    secret_settings = settings.with_overrides(
        redis_url=settings.resolved_redis_url.replace("redis://", "redis://:hunter2-pass@")
    )
    app = create_app(secret_settings)
    try:
        # The document is produced without contacting Redis, so the made-up password does no harm.
        with app.test_client() as client:
            response = client.get(CONFIG, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert response.status_code == 200, response.json
        assert response.json["queue"]["redis_url"].startswith("redis://:***@")
        assert "hunter2-pass" not in response.get_data(as_text=True)
    finally:
        app.extensions["mimir"].close()


def test_admin_sees_where_each_value_came_from(settings: Settings, db: Database, tmp_path) -> None:
    from backend.app import create_app

    config = tmp_path / "config.yaml"
    config.write_text("plugins: {timeout: 60s, max_concurrent: 10}\n")
    loaded = load_settings(
        config,
        environ={"MIMIR_PORT": "9001"},
        data_dir=settings.data_dir,
        database_url=settings.database_url,
        redis_url=settings.redis_url,
        bootstrap_api_key=settings.bootstrap_api_key,
    )
    app = create_app(loaded)
    try:
        with app.test_client() as client:
            response = client.get(CONFIG, headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        assert response.status_code == 200, response.json
        document = response.json
        assert document["plugins"]["step_timeout_seconds"] == 60.0
        assert document["sources"]["plugins.step_timeout_seconds"] == "file:plugins.timeout"
        assert document["sources"]["server.port"] == "env MIMIR_PORT"
        assert document["sources"]["persistence.database_url"] == "override"
        assert document["sources"]["server.max_body_bytes"] == "default"
        assert list(document["ignored"]) == ["plugins.max_concurrent"]
    finally:
        app.extensions["mimir"].close()
