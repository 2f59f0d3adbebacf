"""Scaling: one batch of CPU-bound jobs run by 1, 2, ... worker processes of concurrency 1.

    python -m bench.scaling [--smoke] [--jobs N] [--n FIB_N] [--workers 1,2] [--database sqlite|postgresql]

Each job is a one-step pipeline computing ``fib(n)`` (``Utility.fib``; n=30 is ~0.1-0.2 s of CPU).
For each worker count the batch is enqueued over HTTP once the workers are online, and the throughput
is read from the job rows: jobs / (last ``finished_at`` - first ``started_at``). Speedup is against one
worker, efficiency = speedup / workers (1.0 is linear). The default worker counts go up to the number of
CPUs: more processes than cores measures the scheduler, not Mimir.
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from sqlalchemy import func, select

from bench.common import write_results
from bench.servers import BenchServers, bench_servers
from mimir.testing.servers import free_port
from mimir.testing.stack import ADMIN_KEY, api_process, migrated_database, worker_pool
from shared.db.engine import Database
from shared.jobs.records import JobRecord
from shared.plugins.builtin.utility import _fib


def fib_pipeline(n: int) -> str:
    """YAML of a one-step pipeline computing fib(n)."""
    return f"name: bench-fib\nsteps:\n  - {{name: f, plugin: Utility.fib, config: {{n: {n}}}}}\n"


def enqueue_batch(api_url: str, pipeline_yaml: str, jobs: int, clients: int = 8) -> list[str]:
    """Ids of ``jobs`` runs of ``pipeline_yaml`` enqueued over HTTP by ``clients`` threads."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    adapter = requests.adapters.HTTPAdapter(pool_connections=clients, pool_maxsize=clients)
    session.mount("http://", adapter)

    def one(_: int) -> str:
        response = session.post(
            f"{api_url}/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": pipeline_yaml}, timeout=60
        )
        response.raise_for_status()
        return str(response.json()["job_id"])

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(jobs)))


def wait_until_finished(db: Database, job_ids: list[str], timeout: float) -> tuple[float, int]:
    """(seconds from the first start to the last finish, jobs that did not succeed) once all are done."""
    deadline = time.monotonic() + timeout
    while True:
        with db.reads() as session:
            done, failed, first, last = session.execute(
                select(
                    func.count(JobRecord.finished_at),
                    func.count(JobRecord.id).filter(JobRecord.status != "succeeded"),
                    func.min(JobRecord.started_at),
                    func.max(JobRecord.finished_at),
                ).where(JobRecord.id.in_(job_ids))
            ).one()
        if done == len(job_ids):
            return (last - first).total_seconds(), int(failed)
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {done} of {len(job_ids)} jobs finished in {timeout:.0f}s")
        time.sleep(0.2)


def measure(servers: BenchServers, args: argparse.Namespace) -> list[dict[str, Any]]:
    """One row of figures per worker count."""
    settings = servers.settings()
    db = migrated_database(settings)
    rows = []
    try:
        with api_process(settings, servers.work / "api-logs", port=free_port()) as api:
            for count in args.workers:
                with worker_pool(settings, servers.work / f"workers-{count}") as workers:
                    workers.start(count, concurrency=1, timeout=60)
                    warm = enqueue_batch(api.url, fib_pipeline(1), 4 * count)
                    wait_until_finished(db, warm, timeout=120)
                    ids = enqueue_batch(api.url, fib_pipeline(args.n), args.jobs)
                    span, failed = wait_until_finished(db, ids, timeout=60 + 10 * args.jobs)
                rows.append(
                    {"workers": count, "seconds": span, "jobs_per_s": args.jobs / span, "failed": failed}
                )
    finally:
        db.dispose()
    base = rows[0]["jobs_per_s"] / rows[0]["workers"]
    for row in rows:
        row["speedup"] = row["jobs_per_s"] / base
        row["efficiency"] = row["speedup"] / row["workers"]
    return rows


def bare_jobs_per_s(n: int, repeats: int) -> float:
    """fib(n) computations per second in this process: the ceiling of one worker."""
    started = time.perf_counter()
    for _ in range(repeats):
        _fib(n)
    return repeats / (time.perf_counter() - started)


def _counts(text: str) -> list[int]:
    return sorted({int(part) for part in text.split(",") if part.strip()})


def main() -> None:
    cpus = os.cpu_count() or 1
    default_counts = ",".join(str(c) for c in sorted({1, 2, *[2**i for i in range(8) if 2**i <= cpus], cpus}))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds, for CI")
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--n", type=int, default=30, help="fib(n) per job")
    parser.add_argument("--workers", type=_counts, default=_counts(default_counts), help="e.g. 1,2,4")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.n, args.workers = 16, 22, [1, 2]
    bare = bare_jobs_per_s(args.n, max(3, min(args.jobs, 20)))
    with bench_servers(args.database) as servers:
        rows = measure(servers, args)
    results = {"settings": vars(args), "bare_fib_per_s": bare, "runs": rows}
    table = [("fib(n) per job", str(args.n)), ("bare fib(n) in one process", f"{bare:.2f} /s")]
    for row in rows:
        table.append(
            (
                f"{row['workers']} worker(s)",
                f"{row['jobs_per_s']:.2f} jobs/s, speedup {row['speedup']:.2f}, "
                f"efficiency {row['efficiency']:.2f}"
                + (f", {row['failed']} FAILED" if row["failed"] else ""),
            )
        )
    table += [("jobs per batch", str(args.jobs)), ("database", args.database), ("CPUs", str(os.cpu_count()))]
    write_results(f"scaling-{args.database}", results, table, args.smoke)
    if any(row["failed"] for row in rows):
        raise SystemExit("some jobs did not succeed")


if __name__ == "__main__":
    main()
