"""Vector fixtures: settings with a private data dir, and a real owner process over a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from mimir.testing.stack import make_settings
from mimir.testing.vector_owner import OwnerProcess
from shared.config import Settings
from shared.vectors.config import VectorConfig
from shared.vectors.remote import OwnerClient
from shared.vectors.service import VectorService
from shared.vectors.store import QdrantStore


@pytest.fixture()
def vector_settings(tmp_path: Path, redis_url: str) -> Settings:
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return make_settings(tmp_path, database_url=f"sqlite:///{tmp_path / 'mimir.db'}", redis_url=redis_url)


@pytest.fixture()
def memory_service() -> Iterator[VectorService]:
    store = QdrantStore.in_memory()
    yield VectorService(store, max_batch=100)
    store.close()


@pytest.fixture()
def owner(vector_settings: Settings, tmp_path: Path) -> Iterator[OwnerProcess]:
    process = OwnerProcess(vector_settings, tmp_path / "owner.log").start()
    yield process
    process.stop()


@pytest.fixture()
def owner_service(owner: OwnerProcess) -> Iterator[VectorService]:
    config = VectorConfig.from_settings(owner.settings)
    client = OwnerClient.from_url(config.redis_url, timeout_seconds=10)
    yield VectorService(client, max_batch=config.max_batch)
    client.close()
