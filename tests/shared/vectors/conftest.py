"""Vector fixtures: settings with a private data dir, and a real owner process over a real Redis."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from shared.config import Settings
from shared.vectors.config import VectorConfig
from shared.vectors.owner import OWNER_KEY
from shared.vectors.remote import OwnerClient
from shared.vectors.service import VectorService
from shared.vectors.store import QdrantStore
from tests.stack import REPO_ROOT, make_settings, settings_environment


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


class OwnerProcess:
    """``python -m shared.vectors.owner`` for a test stack."""

    def __init__(self, settings: Settings, log_path: Path) -> None:
        self.settings = settings
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> OwnerProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "shared.vectors.owner"],
                env=settings_environment(self.settings),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=REPO_ROOT,
            )
        client = redis.Redis.from_url(self.settings.resolved_redis_url)
        deadline = time.monotonic() + timeout
        try:
            while not client.exists(OWNER_KEY):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("vector owner did not start:\n" + self.log_path.read_text())
                time.sleep(0.05)
        finally:
            client.close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
