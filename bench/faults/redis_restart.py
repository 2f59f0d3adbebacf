"""Fault 3: the Redis server SIGKILLed and restarted (same port, append-only file) in the middle of a run.

    python -m bench.faults.redis_restart [--smoke] [--rate R] [--down S] [--database sqlite|postgresql]

A client enqueues jobs at a steady rate before, during and after the outage. Reported: enqueues accepted
(202) and refused, accepted jobs lost (must be 0), whether the workers and the API stayed up without a
restart of their own, and the time from Redis being back to every accepted job being done.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import requests

from bench.faults.stack import (
    TERMINAL,
    ApiClient,
    base_arguments,
    count_statuses,
    fault_stack,
    jobs_by_id,
    report,
    wait_until,
)
from mimir.testing.recording import record_pipeline, runs_per_token
from mimir.testing.servers import free_port
from mimir.testing.stack import api_process, worker_pool


class Producer(threading.Thread):
    """Enqueues a recording job every ``1/rate`` seconds until stopped; keeps every answer."""

    def __init__(self, client: ApiClient, log: Path, rate: float) -> None:
        super().__init__(daemon=True)
        self.client, self.log, self.rate = client, log, rate
        self.accepted: dict[str, str] = {}  # job id -> token
        self.refused: Counter[str] = Counter()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(1 / self.rate):
            token = uuid.uuid4().hex
            try:
                response = self.client.enqueue(record_pipeline(self.log, token, sleep=0.02))
            except requests.RequestException as exc:
                self.refused[type(exc).__name__] += 1
                continue
            if response.status_code == 202:
                self.accepted[response.json()["job_id"]] = token
            else:
                self.refused[f"{response.status_code}: {response.json().get('message', '')[:80]}"] += 1


def main() -> None:
    parser = base_arguments("restart Redis mid-run; count lost enqueues")
    parser.add_argument("--rate", type=float, default=10.0, help="enqueues per second")
    parser.add_argument("--before", type=float, default=5.0, help="seconds of load before the outage")
    parser.add_argument("--down", type=float, default=5.0, help="seconds Redis stays down")
    parser.add_argument("--after", type=float, default=10.0, help="seconds of load after the restart")
    args = parser.parse_args()
    if args.smoke:
        args.before, args.down, args.after = 2.0, 2.0, 3.0
    with fault_stack(args.database, persistent_redis=True) as stack:
        log = stack.work / "runs.log"
        with (
            worker_pool(stack.settings, stack.work / "worker-logs") as pool,
            api_process(stack.settings, stack.work / "api-logs", port=free_port()) as api,
        ):
            pool.start(2, concurrency=2)
            producer = Producer(ApiClient(api.url), log, args.rate)
            producer.start()
            time.sleep(args.before)
            stack.redis.kill()
            time.sleep(args.down)
            stack.redis.start()
            back_at = time.monotonic()
            before_restart = list(producer.accepted)
            is_recovered = wait_until(
                lambda: all(j.status in TERMINAL for j in jobs_by_id(stack.db, before_restart).values()), 120
            )
            recovery_seconds = time.monotonic() - back_at
            time.sleep(max(args.after - recovery_seconds, 0))
            producer.stopped.set()
            producer.join()
            accepted = list(producer.accepted)
            is_done = wait_until(
                lambda: all(j.status in TERMINAL for j in jobs_by_id(stack.db, accepted).values()), 180
            )
            processes = {w.name: w.process for w in pool.workers} | {"api": api.process}
            died = sorted(name for name, process in processes.items() if process.poll() is not None)
        jobs = jobs_by_id(stack.db, accepted)
        runs = runs_per_token(log)
    lost = [
        i
        for i, t in producer.accepted.items()
        if i not in jobs or jobs[i].status != "succeeded" or not runs.get(t)
    ]
    results: dict[str, Any] = {
        "settings": vars(args),
        "accepted": len(accepted),
        "refused": dict(producer.refused),
        "statuses": count_statuses(list(jobs.values())),
        "lost": len(lost),
        "lost_job_ids": lost[:20],
        "processes_that_died": died,
        "logs": str(stack.work),
        "seconds_from_redis_back_to_earlier_jobs_done": recovery_seconds if is_recovered else None,
    }
    failures = []
    if lost:
        failures.append(f"{len(lost)} accepted jobs lost")
    if died:
        failures.append(f"{len(died)} worker/API processes died")
    if not (is_done and is_recovered):
        failures.append("not every accepted job finished")
    table = [
        ("Redis down", f"{args.down:g} s (SIGKILL, restarted on the same port with its AOF)"),
        ("enqueues accepted", str(len(accepted))),
        (
            "enqueues refused",
            str(sum(producer.refused.values())) + (f" {dict(producer.refused)}" if producer.refused else ""),
        ),
        ("final statuses", str(results["statuses"])),
        ("accepted jobs lost (must be 0)", str(len(lost))),
        ("worker/API processes that died (must be 0)", str(len(died))),
        (
            "from Redis back to every job accepted until then done",
            f"{recovery_seconds:.1f} s" if is_recovered else "never",
        ),
        ("database", args.database),
    ]
    report(f"faults-redis-{args.database}", results, table, failures, args.smoke)


if __name__ == "__main__":
    main()
