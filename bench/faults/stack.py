"""What the fault scripts share: a real stack (Redis, database, plugins), an HTTP client, polling, and
reporting that exits non-zero when an invariant broke."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from bench.common import write_results
from bench.servers import bench_servers
from mimir.testing.recording import RECORDER_PLUGINS_DIR
from mimir.testing.servers import PostgresServer, RedisServer
from mimir.testing.stack import ADMIN_KEY, make_settings, migrated_database
from shared.config import Settings
from shared.db.engine import Database
from shared.jobs.records import JobRecord

TERMINAL = frozenset({"succeeded", "failed", "cancelled"})


@dataclass
class FaultStack:
    """The servers and settings of one fault run; ``work`` holds logs and data."""

    work: Path
    settings: Settings
    db: Database
    redis: RedisServer
    postgres: PostgresServer | None


@contextmanager
def fault_stack(database: str, *, persistent_redis: bool = False, **overrides: Any) -> Iterator[FaultStack]:
    """Redis (append-only file when ``persistent_redis``), a migrated SQLite or PostgreSQL database and
    settings with the test plugins loaded; every server is stopped on exit."""
    with bench_servers(database, persistent_redis=persistent_redis, prefix="mimir-fault-") as servers:
        settings = make_settings(
            servers.work / "mimir",
            database_url=servers.database_url,
            redis_url=servers.redis_url,
            plugin_directories=(RECORDER_PLUGINS_DIR,),
            **overrides,
        )
        db = migrated_database(settings)
        try:
            yield FaultStack(servers.work, settings, db, servers.redis, servers.postgres)
        finally:
            db.dispose()


class ApiClient:
    """Requests to a running ``mimir api`` with the admin key."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """The response to ``method path`` (10 s timeout unless given)."""
        kwargs.setdefault("timeout", 10)
        return self.session.request(method, f"{self.url}{path}", **kwargs)

    def enqueue(self, pipeline_yaml: str) -> requests.Response:
        """The response to enqueueing ``pipeline_yaml``."""
        return self.request("POST", "/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": pipeline_yaml})


def wait_until(condition: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    """Whether ``condition`` became true within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def jobs_by_id(db: Database, job_ids: list[str] | None = None) -> dict[str, JobRecord]:
    """Job rows by id (all of them, or those of ``job_ids``)."""
    query = select(JobRecord)
    if job_ids is not None:
        query = query.where(JobRecord.id.in_(job_ids))
    with db.reads() as session:
        return {job.id: job for job in session.execute(query).scalars()}


def count_statuses(jobs: list[JobRecord]) -> dict[str, int]:
    """How many of ``jobs`` are in each status."""
    counts: dict[str, int] = {}
    for job in jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    return dict(sorted(counts.items()))


def base_arguments(description: str, database: str = "postgresql") -> argparse.ArgumentParser:
    """An argument parser with ``--smoke`` and ``--database``."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--smoke", action="store_true", help="a short run, for CI")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default=database)
    return parser


def report(
    name: str, results: dict[str, Any], table: list[tuple[str, str]], failures: list[str], smoke: bool
) -> None:
    """Write the results (with the broken invariants) and exit 1 if any invariant broke."""
    results = {**results, "failures": failures, "passed": not failures}
    table = [*table, ("invariants", "all held" if not failures else "BROKEN: " + "; ".join(failures))]
    write_results(name, results, table, smoke)
    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)
