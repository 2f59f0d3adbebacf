"""Memory: resident size of an idle API and an idle worker, and after many jobs.

    python -m bench.memory [--smoke] [--jobs N] [--clients C] [--bound-mib M] [--database sqlite|postgresql]

Resident size is VmRSS from ``/proc/<pid>/status`` summed over a process tree: the gunicorn master and
its workers for the API, the worker's main process and its pool children for a worker. (Forked children
share pages with their parent, which a sum of RSS counts twice; PSS, which divides shared pages among
their users, is reported beside it.) Measured three times: idle after start, idle after a warm-up
batch (lazy imports, pools and caches filled), and idle after ``--jobs`` no-op jobs, each enqueued over
HTTP and awaited with ``/wait``. Growth is final minus warm; the run fails if either tree grew by more
than ``--bound-mib`` (default 30 MiB).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any

import requests

from bench.common import write_results
from bench.overhead import NOOP_PIPELINE, closed_loop
from bench.servers import BenchServers, bench_servers
from mimir.testing.servers import free_port
from mimir.testing.stack import ADMIN_KEY, api_process, migrated_database, worker_pool


@dataclass(frozen=True)
class TreeMemory:
    """Resident and proportional set size of a process tree, in MiB."""

    processes: int
    rss_mib: float
    pss_mib: float


def _descendants(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    children = [int(p) for p in out.split()]
    return children + [g for c in children for g in _descendants(c)]


def _kib(path: str, field: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:  # the process exited between listing and reading
        pass
    return 0


def tree_memory(root: int) -> TreeMemory:
    """Memory of ``root`` and every process below it."""
    pids = [root, *_descendants(root)]
    rss = sum(_kib(f"/proc/{p}/status", "VmRSS") for p in pids)
    pss = sum(_kib(f"/proc/{p}/smaps_rollup", "Pss") for p in pids)
    return TreeMemory(len(pids), rss / 1024, pss / 1024)


def run_jobs(api_url: str, jobs: int, clients: int) -> float:
    """Jobs per second for ``jobs`` no-op runs, each enqueued and awaited over HTTP."""
    local = threading.local()

    def run_one() -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Authorization"] = f"Bearer {ADMIN_KEY}"
        response = local.session.post(
            f"{api_url}/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": NOOP_PIPELINE}, timeout=60
        )
        response.raise_for_status()
        job = local.session.get(
            f"{api_url}/api/v1/queue/jobs/{response.json()['job_id']}/wait?timeout=60s", timeout=70
        ).json()
        if job["status"] != "succeeded":
            raise RuntimeError(f"job did not succeed: {job}")

    return closed_loop(run_one, jobs, clients)


def measure(servers: BenchServers, args: argparse.Namespace) -> dict[str, Any]:
    """Snapshots of both trees at start, after the warm-up and after the batch."""
    settings = servers.settings()
    db = migrated_database(settings)
    snapshots: dict[str, dict[str, TreeMemory]] = {}
    try:
        with (
            worker_pool(settings, servers.work / "worker-logs") as workers,
            api_process(settings, servers.work / "api-logs", port=free_port()) as api,
        ):
            (worker,) = workers.start(1, concurrency=args.concurrency)

            def snapshot(name: str) -> None:
                time.sleep(args.settle)  # let the last requests and jobs finish their bookkeeping
                snapshots[name] = {
                    "api": tree_memory(api.process.pid),
                    "worker": tree_memory(worker.process.pid),
                }

            snapshot("idle")
            run_jobs(api.url, args.warmup, args.clients)
            snapshot("warm")
            throughput = run_jobs(api.url, args.jobs, args.clients)
            snapshot("final")
    finally:
        db.dispose()
    growth = {
        side: snapshots["final"][side].rss_mib - snapshots["warm"][side].rss_mib for side in ("api", "worker")
    }
    return {
        "snapshots": {name: {k: asdict(v) for k, v in trees.items()} for name, trees in snapshots.items()},
        "growth_rss_mib": growth,
        "jobs_per_s": throughput,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds, for CI")
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--warmup", type=int, default=500)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--concurrency", type=int, default=2, help="the worker's pool processes")
    parser.add_argument("--settle", type=float, default=2.0, help="idle seconds before each snapshot")
    parser.add_argument("--bound-mib", type=float, default=30.0, help="most growth allowed per tree")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.warmup, args.settle = 200, 30, 0.5
    with bench_servers(args.database) as servers:
        figures = measure(servers, args)
    snaps = figures["snapshots"]
    table = []
    for side, label in (("api", "API (gunicorn master + workers)"), ("worker", "worker (main + pool)")):
        table += [
            (
                f"{label}, {moment}",
                f"{snaps[moment][side]['rss_mib']:.1f} MiB RSS, {snaps[moment][side]['pss_mib']:.1f} MiB PSS"
                f" ({snaps[moment][side]['processes']} processes)",
            )
            for moment in ("idle", "warm", "final")
        ]
        table.append(
            (f"{label}, growth over {args.jobs} jobs", f"{figures['growth_rss_mib'][side]:+.1f} MiB RSS")
        )
    table += [
        ("bound on growth", f"{args.bound_mib:g} MiB per tree"),
        ("jobs per second (enqueue + wait)", f"{figures['jobs_per_s']:.1f}"),
        ("database", args.database),
    ]
    write_results(f"memory-{args.database}", {"settings": vars(args), **figures}, table, args.smoke)
    over = {side: g for side, g in figures["growth_rss_mib"].items() if g > args.bound_mib}
    if over:
        sys.exit(f"memory grew beyond {args.bound_mib:g} MiB: {over}")


if __name__ == "__main__":
    main()
