"""Integration fixtures: a migrated database (SQLite or PostgreSQL), the API app, worker processes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask.testing import FlaskClient

from backend.app import create_app
from mimir.testing.recording import RECORDER_PLUGINS_DIR
from mimir.testing.servers import free_port
from mimir.testing.stack import (
    ApiProcess,
    BeatPool,
    WorkerPool,
    api_process,
    beat_pool,
    make_settings,
    migrated_database,
    worker_pool,
)
from shared.config import Settings
from shared.db.engine import Database

PLUGINS_DIR = RECORDER_PLUGINS_DIR


def _fresh_database_url(kind: str, tmp_path: Path, postgres_server: Any) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'mimir.db'}"
    return str(postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture()
def settings(database_kind: str, tmp_path: Path, redis_url: str, request: pytest.FixtureRequest) -> Settings:
    postgres = request.getfixturevalue("postgres_server") if database_kind == "postgresql" else None
    return make_settings(
        tmp_path,
        database_url=_fresh_database_url(database_kind, tmp_path, postgres),
        redis_url=redis_url,
        plugin_directories=(PLUGINS_DIR,),
    )


@pytest.fixture()
def db(settings: Settings) -> Iterator[Database]:
    database = migrated_database(settings)
    yield database
    database.dispose()


@pytest.fixture()
def client(settings: Settings, db: Database) -> Iterator[FlaskClient]:
    app = create_app(settings)
    with app.test_client() as test_client:
        test_client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {settings.bootstrap_api_key}"
        yield test_client
    app.extensions["mimir"].close()


@pytest.fixture()
def api(settings: Settings, db: Database, tmp_path: Path) -> Iterator[ApiProcess]:
    with api_process(settings, tmp_path / "api-logs", port=free_port()) as process:
        yield process


@pytest.fixture()
def flushed_redis(redis_url: str) -> str:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url


@pytest.fixture()
def workers(settings: Settings, db: Database, flushed_redis: str, tmp_path: Path) -> Iterator[WorkerPool]:
    with worker_pool(settings, tmp_path / "worker-logs") as pool:
        yield pool


def pipeline_yaml(*steps: str, name: str | None = None) -> str:
    """A one-pipeline YAML document with the given step lines (each a flow mapping)."""
    body = "\n".join(f"  - {s}" for s in steps)
    return f"name: {name or 'p-' + uuid.uuid4().hex[:8]}\nsteps:\n{body}\n"


@pytest.fixture()
def beats(settings: Settings, db: Database, flushed_redis: str, tmp_path: Path) -> Iterator[BeatPool]:
    with beat_pool(settings, tmp_path / "beat-logs") as pool:
        yield pool
