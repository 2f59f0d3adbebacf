"""API under load: enqueue rate and latency from many clients, alone and while many waits are held open.

    python -m bench.api_load [--smoke] [--clients 500] [--held 500] [--duration S]
                             [--database sqlite|postgresql]

One ``mimir api`` process (gunicorn, gevent worker) and one worker running the
enqueued no-op jobs. Phase 1: ``--clients`` concurrent clients enqueue as fast as they are answered for
``--duration`` seconds. Phase 2: ``--held`` wait requests are opened first, on jobs that will not finish
(queued rows whose message was never published; the sweep's re-publish is pushed out of the run), and
stay open while the same clients enqueue for the same time. The held waits must neither return early
nor starve the enqueues: the run fails if phase 2's rate falls below half of phase 1's, if a held wait
returns before its job is finished, or if finishing the held jobs does not answer every wait. The
clients are coroutines in one process on ``bench.rawhttp``; rate limits are lifted for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import redis

from bench.common import percentile, write_results
from bench.overhead import NOOP_PIPELINE
from bench.rawhttp import HttpError, RawConnection
from bench.servers import BenchServers, bench_servers
from mimir.testing.servers import free_port
from mimir.testing.stack import ADMIN_KEY, api_process, migrated_database, worker_pool
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.events import publish_job_finished
from shared.jobs.status import JobStatus
from shared.jobs.targets import RunTarget
from shared.pipelines.job_kind import pipeline_job_kind
from shared.pipelines.model import PipelineDefinition

ENQUEUE = "/api/v1/queue/pipelines/enqueue"
HEADERS = {"Authorization": f"Bearer {ADMIN_KEY}"}
STARVED_BELOW = 0.5  # phase 2 rate / phase 1 rate under which the waits starved the enqueues


@dataclass
class Load:
    """What the enqueue clients saw in one phase."""

    seconds: float = 0.0
    answered_in_time: int = 0
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)

    def figures(self) -> dict[str, Any]:
        """Rate (enqueues answered within the phase), latency percentiles (ms) and outcome counts."""
        return {
            "enqueued": self.outcomes.get("202", 0),
            "enqueues_per_s": self.answered_in_time / self.seconds if self.seconds else 0.0,
            "latency_p50_ms": percentile(self.latencies, 50) * 1000,
            "latency_p99_ms": percentile(self.latencies, 99) * 1000,
            "outcomes": dict(self.outcomes),
        }


def _connection(api_url: str) -> RawConnection:
    address = urlsplit(api_url)
    return RawConnection(address.hostname or "127.0.0.1", address.port or 80, HEADERS)


async def _timed_request(
    connection: RawConnection, method: str, path: str, body: Any, timeout: float
) -> tuple[str, float]:
    """(outcome: the status, "timeout" or the error's name, seconds taken) of one request."""
    started = time.perf_counter()
    try:
        status, _ = await asyncio.wait_for(connection.request(method, path, body), timeout)
    except TimeoutError:
        await connection.close()  # a late answer must not be read as the next request's
        return "timeout", time.perf_counter() - started
    except HttpError as exc:
        return str(exc), time.perf_counter() - started
    return str(status), time.perf_counter() - started


async def drive_enqueues(api_url: str, clients: int, duration: float, timeout: float) -> Load:
    """Each client enqueues, waits for the answer, and enqueues again, until ``duration`` has passed."""
    load = Load()
    body = {"pipeline_yaml": NOOP_PIPELINE}

    async def one_client(stop_at: float) -> None:
        connection = _connection(api_url)
        try:
            while time.perf_counter() < stop_at:
                outcome, seconds = await _timed_request(connection, "POST", ENQUEUE, body, timeout)
                load.outcomes[outcome] += 1
                if outcome == "202":
                    load.latencies.append(seconds)
                    load.answered_in_time += time.perf_counter() <= stop_at
        finally:
            await connection.close()

    # Requests still in flight at the end are awaited (so the next phase starts on an idle server)
    # but only those answered within ``duration`` count towards the rate.
    stop_at = time.perf_counter() + duration
    await asyncio.gather(*(one_client(stop_at) for _ in range(clients)))
    load.seconds = duration
    return load


async def hold_waits(api_url: str, job_ids: list[str], seconds: int) -> list[asyncio.Task[str]]:
    """Tasks of open wait requests, one per job; each ends with how its request ended."""

    async def one(job_id: str) -> str:
        connection = _connection(api_url)
        path = f"/api/v1/queue/jobs/{job_id}/wait?timeout={seconds}s"
        try:
            outcome, _ = await _timed_request(connection, "GET", path, None, seconds + 30)
        finally:
            await connection.close()
        return outcome

    return [asyncio.create_task(one(job_id)) for job_id in job_ids]


async def run_phases(
    api_url: str, held_ids: list[str], release: Callable[[], None], args: argparse.Namespace
) -> dict[str, Any]:
    """Warm-up, the enqueue load alone, the same load with the waits held, then the waits released."""
    await drive_enqueues(api_url, 16, args.warmup, args.timeout)
    alone = await drive_enqueues(api_url, args.clients, args.duration, args.timeout)
    hold_seconds = int(args.duration * 2 + args.timeout + 30)
    tasks = await hold_waits(api_url, held_ids, hold_seconds)
    await asyncio.sleep(args.settle)
    with_waits = await drive_enqueues(api_url, args.clients, args.duration, args.timeout)
    early = Counter(task.result() for task in tasks if task.done())
    # Finishing the held jobs must wake every wait: proof they were held by the server.
    released_at = time.perf_counter()
    await asyncio.to_thread(release)
    done, pending = await asyncio.wait(tasks, timeout=60)
    released_in = time.perf_counter() - released_at
    for task in pending:
        task.cancel()
    return {
        "alone": alone.figures(),
        "with_held_waits": with_waits.figures(),
        "held_waits_returned_early": dict(early),
        "held_waits_after_release": dict(Counter(task.result() for task in done)),
        "held_waits_release_seconds": released_in,
        "hold_seconds": hold_seconds,
    }


def release_jobs(db: Database, redis_url: str, job_ids: list[str]) -> None:
    """Cancel the queued jobs and tell the API's waiters, as the cancel endpoint does."""
    client = redis.Redis.from_url(redis_url)
    try:
        for job_id in job_ids:
            service.cancel_job(db, job_id)
            publish_job_finished(client, job_id, JobStatus.CANCELLED)
    finally:
        client.close()


def measure(servers: BenchServers, args: argparse.Namespace) -> dict[str, Any]:
    """Phase figures from a fresh stack."""
    # The held jobs are never published; keep the recovery sweep from publishing them during the run.
    # Every client connects from 127.0.0.1: lift the per-address connection cap meant for hostile clients.
    settings = servers.settings(max_connections_per_address=0, requeue_after_seconds=3600.0)
    db = migrated_database(settings)
    definition = PipelineDefinition.from_dict(
        {"name": "bench-held", "steps": [{"name": "a", "plugin": "Utility.noop"}]}
    )
    pipeline_kind = pipeline_job_kind()
    request = RunTarget(definition).job_request({})
    held_ids = [service.create_job(db, pipeline_kind, request).id for _ in range(args.held)]
    try:
        with (
            worker_pool(settings, servers.work / "worker-logs") as workers,
            api_process(settings, servers.work / "api-logs", port=free_port()) as api,
        ):
            workers.start(1, concurrency=2)
            release = partial(release_jobs, db, servers.redis_url, held_ids)
            return asyncio.run(run_phases(api.url, held_ids, release, args))
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="a few seconds, for CI")
    parser.add_argument("--clients", type=int, default=500, help="concurrent enqueue clients")
    parser.add_argument("--held", type=int, default=500, help="wait requests held open in phase 2")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of load per phase")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout per enqueue (s)")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of light load first")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds between opening waits and load")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args()
    if args.smoke:
        args.clients, args.held, args.duration, args.settle, args.warmup = 50, 50, 2.0, 1.0, 0.5
    with bench_servers(args.database) as servers:
        figures = measure(servers, args)
    alone, held = figures["alone"], figures["with_held_waits"]
    ratio = held["enqueues_per_s"] / alone["enqueues_per_s"] if alone["enqueues_per_s"] else 0.0
    is_starved = ratio < STARVED_BELOW
    figures.update(ratio_with_waits=ratio, is_starved=is_starved)
    table = []
    for label, phase in (("alone", alone), (f"with {args.held} held waits", held)):
        table += [
            (f"enqueues/s, {label}", f"{phase['enqueues_per_s']:.1f}"),
            (
                f"latency p50 / p99, {label}",
                f"{phase['latency_p50_ms']:.1f} / {phase['latency_p99_ms']:.1f} ms",
            ),
            (f"outcomes, {label}", ", ".join(f"{k}: {v}" for k, v in sorted(phase["outcomes"].items()))),
        ]
    table += [
        ("rate with waits / rate alone", f"{ratio:.2f} ({'STARVED' if is_starved else 'not starved'})"),
        ("held waits that returned early", str(sum(figures["held_waits_returned_early"].values()))),
        (
            "held waits answered once their jobs were cancelled",
            f"{figures['held_waits_after_release'].get('200', 0)} of {args.held}"
            f" in {figures['held_waits_release_seconds']:.1f} s",
        ),
        ("concurrent clients", str(args.clients)),
        ("database", args.database),
    ]
    write_results(f"api_load-{args.database}", {"settings": vars(args), **figures}, table, args.smoke)
    is_released = figures["held_waits_after_release"].get("200", 0) == args.held
    # A 2-second smoke phase on a shared CI machine is too noisy to judge starvation by; it still checks
    # that the waits were held and answered.
    if (is_starved and not args.smoke) or figures["held_waits_returned_early"] or not is_released:
        raise SystemExit("held waits starved the enqueues, returned early, or were not answered on release")


if __name__ == "__main__":
    main()
