"""Overhead against raw Celery: (a) a bare Celery no-op task, ``delay()`` then ``get()``; (b) a one-step
no-op pipeline enqueued over HTTP and awaited with the wait endpoint, through the job database.

    python -m bench.overhead [--smoke] [--jobs N] [--rate R] [--duration S] [--concurrency C]
                             [--database sqlite|postgresql]

Both run in one invocation on one Redis server and one worker with the same concurrency. Reported:
throughput for a batch of N (closed loop: all sent, then all awaited) and latency p50/p99 at a fixed
arrival rate (open loop: request i is sent at start + i/R whatever happened to the others).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests
from celery import chain

from bench.common import percentile, write_results
from bench.cpu import CpuMeter, ProcessGroup, this_process
from bench.servers import BenchServers, bench_servers
from mimir.testing.servers import (
    free_port,
)
from mimir.testing.stack import (
    ADMIN_KEY,
    REPO_ROOT,
    api_process,
    make_settings,
    migrated_database,
    worker_pool,
)

NOOP_PIPELINE = "name: bench-noop\nsteps:\n  - {name: a, plugin: Utility.noop}\n"
FIB_STEPS = 40
FIB_PIPELINE = "name: bench-fib40\nsteps:\n" + "".join(
    f"  - {{name: s{i}, plugin: Utility.fib, config: {{n: 10}}, output: r{i}}}\n" for i in range(FIB_STEPS)
)
_local = threading.local()


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
        _local.session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
    return _local.session  # type: ignore[no-any-return]


def closed_loop(run_one: Callable[[], None], jobs: int, clients: int) -> float:
    """Jobs per second for ``jobs`` runs issued by ``clients`` concurrent callers."""
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(lambda _: run_one(), range(jobs)))
    return jobs / (time.perf_counter() - started)


def open_loop(run_one: Callable[[], None], rate: float, duration: float) -> list[float]:
    """Latency (seconds) of each run, runs started at a fixed rate regardless of completions."""
    latencies: list[float] = []
    lock = threading.Lock()
    count = int(rate * duration)

    def one(scheduled: float) -> None:
        run_one()
        with lock:
            latencies.append(time.perf_counter() - scheduled)

    start = time.perf_counter() + 0.1
    with ThreadPoolExecutor(max(int(rate), 16)) as pool:
        for i in range(count):
            at = start + i / rate
            delay = at - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, at)
    return latencies


def _raw_worker(redis_url: str, concurrency: int, log: Path) -> subprocess.Popen[bytes]:
    env = dict(os.environ, REDIS_URL=redis_url, PYTHONPATH=str(REPO_ROOT))
    with log.open("ab") as handle:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bench.raw_celery",
                "worker",
                "-Q",
                "raw.noop",
                f"--concurrency={concurrency}",
                "--prefetch-multiplier=1",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=WARNING",
            ],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO_ROOT,
        )


def _server_groups(servers: BenchServers) -> list[ProcessGroup]:
    groups = [ProcessGroup("redis", lambda: servers.redis.process.pid if servers.redis.process else None)]
    if servers.postgres is not None:
        postgres = servers.postgres
        groups.append(ProcessGroup("database", lambda: postgres.process.pid if postgres.process else None))
    return groups


def measure_raw(servers: BenchServers, args: argparse.Namespace) -> dict[str, Any]:
    redis_url = servers.redis_url
    os.environ["REDIS_URL"] = redis_url
    from bench import raw_celery

    raw_celery.app.conf.update(broker_url=redis_url, result_backend=redis_url)
    worker = _raw_worker(redis_url, args.concurrency, servers.work / "raw-worker.log")
    groups = [
        ProcessGroup("worker main", lambda: worker.pid, includes_descendants=False),
        ProcessGroup("pool", lambda: worker.pid, includes_root=False),
        ProcessGroup("load generator", this_process, includes_descendants=False),
        *_server_groups(servers),
    ]
    try:
        raw_celery.noop.delay().get(timeout=60)  # wait for the worker to be up

        def run_one() -> None:
            raw_celery.noop.delay().get(timeout=60)

        figures = _measure(run_one, args, groups)

        def run_chain() -> None:
            chain(*(raw_celery.fib.si(10) for _ in range(FIB_STEPS))).apply_async().get(timeout=60)

        figures["fib40_seconds"] = _median_seconds(run_chain, args.chain_repeats)
        return figures
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)


def measure_mimir(servers: BenchServers, args: argparse.Namespace) -> dict[str, Any]:
    work = servers.work
    settings = make_settings(
        work / "mimir",
        database_url=servers.database_url,
        redis_url=servers.redis_url,
        api_processes=args.api_processes,
    )
    db = migrated_database(settings)
    with (
        worker_pool(settings, work / "worker-logs") as workers,
        api_process(settings, work / "api-logs", port=free_port()) as api,
    ):
        (worker,) = workers.start(
            1,
            concurrency=args.concurrency,
            options=(f"--pool={args.worker_pool}", f"--prefetch-multiplier={args.prefetch_multiplier}"),
        )
        groups = [
            ProcessGroup("API", lambda: api.process.pid),
            ProcessGroup("worker main", lambda: worker.process.pid, includes_descendants=False),
            ProcessGroup("pool", lambda: worker.process.pid, includes_root=False),
            ProcessGroup("load generator", this_process, includes_descendants=False),
            *_server_groups(servers),
        ]

        def run_one() -> None:
            session = _session()
            response = session.post(
                f"{api.url}/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": NOOP_PIPELINE}, timeout=60
            )
            response.raise_for_status()
            job = session.get(
                f"{api.url}/api/v1/queue/jobs/{response.json()['job_id']}/wait?timeout=60s", timeout=70
            ).json()
            if job["status"] != "succeeded":
                raise RuntimeError(f"job did not succeed: {job}")

        run_one()
        figures = _measure(run_one, args, groups)
        figures["fib40_seconds"] = _median_seconds(
            lambda: _enqueue_and_wait(api.url, FIB_PIPELINE), args.chain_repeats
        )
        figures.update(_measure_batches(api.url, args))
    db.dispose()
    return figures


def _enqueue_and_wait(url: str, pipeline_yaml: str) -> None:
    session = _session()
    response = session.post(f"{url}/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": pipeline_yaml})
    response.raise_for_status()
    job = session.get(f"{url}/api/v1/queue/jobs/{response.json()['job_id']}/wait?timeout=60s").json()
    if job["status"] != "succeeded":
        raise RuntimeError(f"job did not succeed: {job}")


def _median_seconds(run: Callable[[], None], repeats: int) -> float:
    run()  # warm
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _measure_batches(url: str, args: argparse.Namespace) -> dict[str, float]:
    """Jobs accepted per second and done per second: ``--batch-jobs`` single enqueues from ``--clients``
    callers, against the same number in batches of ``--batch-size`` from one caller."""
    count = args.batch_jobs

    def enqueue_one(_: int) -> str:
        response = _session().post(
            f"{url}/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": NOOP_PIPELINE}, timeout=60
        )
        response.raise_for_status()
        return str(response.json()["job_id"])

    def wait_all(ids: list[str]) -> None:
        def wait(job_id: str) -> None:
            _session().get(
                f"{url}/api/v1/queue/jobs/{job_id}/wait?timeout=120s", timeout=130
            ).raise_for_status()

        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(wait, ids))

    started = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        single_ids = list(pool.map(enqueue_one, range(count)))
    single_accepted = time.perf_counter() - started
    wait_all(single_ids)
    single_done = time.perf_counter() - started

    started = time.perf_counter()
    batch_ids: list[str] = []
    refused = 0
    for offset in range(0, count, args.batch_size):
        size = min(args.batch_size, count - offset)
        while True:
            response = _session().post(
                f"{url}/api/v1/queue/pipelines/enqueue-batch",
                json={"pipeline_yaml": NOOP_PIPELINE, "contexts": [{}] * size},
                timeout=120,
            )
            if response.status_code != 429:  # each run counts against the enqueue limit (500/s per key)
                break
            refused += 1
            time.sleep(float(response.headers.get("Retry-After", "1")))
        response.raise_for_status()
        batch_ids += response.json()["job_ids"]
    batch_accepted = time.perf_counter() - started
    wait_all(batch_ids)
    batch_done = time.perf_counter() - started
    return {
        "single_enqueue_accepted_jobs_per_s": count / single_accepted,
        "single_enqueue_done_jobs_per_s": count / single_done,
        "batch_enqueue_accepted_jobs_per_s": count / batch_accepted,
        "batch_enqueue_done_jobs_per_s": count / batch_done,
        "batch_enqueue_refused_429": refused,
    }


def _measure(
    run_one: Callable[[], None], args: argparse.Namespace, groups: list[ProcessGroup]
) -> dict[str, Any]:
    for _ in range(20):
        run_one()  # warm connections and caches
    meter = CpuMeter(groups)
    meter.start()
    throughput = closed_loop(run_one, args.jobs, args.clients)
    cpu = meter.stop(args.jobs)
    latencies = open_loop(run_one, args.rate, args.duration)
    return {
        "throughput_jobs_per_s": throughput,
        "cpu_ms_per_job": cpu,
        "latency_p50_ms": percentile(latencies, 50) * 1000,
        "latency_p99_ms": percentile(latencies, 99) * 1000,
        "latency_samples": len(latencies),
    }


def _cpu_rows(raw: dict[str, float], mimir: dict[str, float]) -> list[tuple[str, str]]:
    """One row per process group: CPU ms per job in the closed loop, Mimir beside raw Celery."""
    rows = []
    for name in [n for n in mimir if n != "total"] + ["total"]:
        theirs = f"{raw[name]:.2f}" if name in raw else "-"
        rows.append((f"CPU ms per job: {name} (Mimir / raw)", f"{mimir[name]:.2f} / {theirs}"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description="Mimir's overhead against raw Celery")
    parser.add_argument("--smoke", action="store_true", help="a few seconds, for CI")
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--api-processes", type=int, default=1, help="server.processes of the API")
    parser.add_argument("--worker-pool", choices=["prefork", "threads"], default="prefork")
    parser.add_argument("--prefetch-multiplier", type=int, default=1, help="of the Mimir worker")
    parser.add_argument("--chain-repeats", type=int, default=10, help="runs of the 40-step fib(10) chain")
    parser.add_argument("--batch-jobs", type=int, default=1000, help="jobs of the batch-enqueue comparison")
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.duration, args.chain_repeats, args.batch_jobs, args.batch_size = 40, 1.0, 2, 40, 20
    with bench_servers(args.database) as servers:
        raw = measure_raw(servers, args)
        mimir = measure_mimir(servers, args)
    ratio = mimir["throughput_jobs_per_s"] / raw["throughput_jobs_per_s"]
    results = {"settings": vars(args), "raw_celery": raw, "mimir": mimir, "throughput_ratio": ratio}
    table = [
        ("raw Celery throughput", f"{raw['throughput_jobs_per_s']:.1f} jobs/s"),
        ("Mimir throughput", f"{mimir['throughput_jobs_per_s']:.1f} jobs/s"),
        ("throughput ratio (Mimir / raw)", f"{ratio:.2f} (target >= 0.5, later 0.8)"),
        (
            f"raw Celery latency p50 / p99 at {args.rate:g}/s",
            f"{raw['latency_p50_ms']:.1f} / {raw['latency_p99_ms']:.1f} ms",
        ),
        (
            f"Mimir latency p50 / p99 at {args.rate:g}/s",
            f"{mimir['latency_p50_ms']:.1f} / {mimir['latency_p99_ms']:.1f} ms"
            f" (target <= {'10 / 50' if args.database == 'sqlite' else '15 / 60'} ms)",
        ),
        (
            f"{FIB_STEPS} x fib(10) end to end: Mimir over HTTP / Celery chain (median)",
            f"{mimir['fib40_seconds'] * 1000:.0f} / {raw['fib40_seconds'] * 1000:.0f} ms (target <= 100 ms)",
        ),
        (
            f"enqueue {args.batch_jobs} jobs: accepted per s, single / batches of {args.batch_size}",
            f"{mimir['single_enqueue_accepted_jobs_per_s']:.0f}"
            f" / {mimir['batch_enqueue_accepted_jobs_per_s']:.0f}"
            f" ({mimir['batch_enqueue_refused_429']} batches refused by the enqueue rate limit and retried)",
        ),
        (
            f"enqueue {args.batch_jobs} jobs: done per s, single / batches of {args.batch_size}",
            f"{mimir['single_enqueue_done_jobs_per_s']:.0f} / {mimir['batch_enqueue_done_jobs_per_s']:.0f}",
        ),
        *_cpu_rows(raw["cpu_ms_per_job"], mimir["cpu_ms_per_job"]),
        ("database", args.database),
        ("worker concurrency", str(args.concurrency)),
        ("API processes (server.processes)", str(args.api_processes)),
        ("Mimir worker pool, prefetch multiplier", f"{args.worker_pool}, {args.prefetch_multiplier}"),
    ]
    write_results(f"overhead-{args.database}", results, table, args.smoke)


if __name__ == "__main__":
    main()
