"""Starting the vector store's owner process for tests and benchmarks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import redis

from mimir.testing.stack import REPO_ROOT, settings_environment
from shared.config import Settings
from shared.vectors.wire import OWNER_KEY


class OwnerProcess:
    """``python -m shared.vectors.owner`` for a test stack, started and stopped by the caller."""

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
