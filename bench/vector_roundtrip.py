"""Why the vector store's owner is reached over Redis lists, not a Celery queue: one round trip each.

    python -m bench.vector_roundtrip [--smoke] [--calls N]

Both carry one 384-number vector to a single-process server on the same Redis and wait for its answer:
a Celery worker (solo pool, concurrency 1, Redis result backend: a Celery reply needs one) running a task
that returns at once, and the owner process answering ``ping``. Calls alternate, so load from elsewhere
hits both alike.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from celery import Celery

from bench.common import percentile, write_results
from shared.vectors.remote import OwnerClient

TASK = "bench.vector_roundtrip.echo"


def celery_app(redis_url: str) -> Celery:
    """The Celery app of both ends: JSON, late ack, prefetch 1, the house settings."""
    app = Celery("roundtrip", broker=redis_url, backend=redis_url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        worker_prefetch_multiplier=1,
        task_acks_late=True,
        task_default_queue="mimir.vectors",
    )
    app.task(name=TASK)(echo)
    return app


def echo(vector: list[float] | None = None) -> dict[str, bool]:
    """The task: answers at once, so the figure is the round trip alone."""
    return {"ok": True}


def main() -> None:
    parser = argparse.ArgumentParser(description="Celery round trip vs the owner's Redis-list round trip")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    calls = 20 if args.smoke else args.calls
    from mimir.testing.servers import RedisServer, find_redis_server
    from mimir.testing.stack import REPO_ROOT, make_settings
    from mimir.testing.vector_owner import OwnerProcess

    binary = find_redis_server()
    if binary is None:
        raise SystemExit("no redis-server found")
    redis_server = RedisServer(binary).start()
    work = Path(tempfile.mkdtemp(prefix="mimir-bench-roundtrip-"))
    env = {**os.environ, "ROUNDTRIP_REDIS_URL": redis_server.url, "PYTHONPATH": str(REPO_ROOT)}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "bench.roundtrip_worker",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
            "-Q",
            "mimir.vectors",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=(work / "worker.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    settings = make_settings(work, database_url=f"sqlite:///{work / 'm.db'}", redis_url=redis_server.url)
    owner = OwnerProcess(settings, work / "owner.log").start()
    try:
        app = celery_app(redis_server.url)
        client = OwnerClient.from_url(redis_server.url, timeout_seconds=30)
        vector = np.random.default_rng(1).standard_normal(384).astype(np.float32)
        app.send_task(TASK, args=[vector.tolist()]).get(timeout=120)  # the worker is up
        celery_times, owner_times = [], []
        for _ in range(calls):
            started = time.perf_counter()
            app.send_task(TASK, args=[vector.tolist()]).get(timeout=30)
            celery_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            client.ping()
            owner_times.append(time.perf_counter() - started)
        client.close()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        owner.stop()
        redis_server.close()
    results: dict[str, Any] = {"calls": calls, "load_average": os.getloadavg()}
    for name, times in (("celery", celery_times), ("owner", owner_times)):
        results[name] = {
            "p50_ms": round(percentile(times, 50) * 1000, 3),
            "p99_ms": round(percentile(times, 99) * 1000, 3),
        }
    table = [
        ("Celery round trip p50 / p99 ms", f"{results['celery']['p50_ms']} / {results['celery']['p99_ms']}"),
        (
            "owner (Redis lists) round trip p50 / p99 ms",
            f"{results['owner']['p50_ms']} / {results['owner']['p99_ms']}",
        ),
        ("load average during the run", " ".join(f"{x:.1f}" for x in results["load_average"])),
    ]
    write_results("vector_roundtrip", results, table, args.smoke)


if __name__ == "__main__":
    main()
