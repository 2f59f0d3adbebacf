"""Fault 1: SIGKILL whole workers and single pool processes at random moments while jobs run.

    python -m bench.faults.workers [--smoke] [--jobs N] [--kills K] [--database sqlite|postgresql]

N jobs are enqueued over HTTP; each one's step appends its token to a file when it starts. While they
run, up to K times at a random moment (only while some job is unfinished) either a whole worker (main
process and pool) is SIGKILLed and a new one started, or one pool process is SIGKILLed (Celery replaces
it). Reported: jobs lost (not succeeded, or succeeded without the step having run; must be 0), jobs whose
step started more than once, the jobs still unfinished at the last kill, and the time from the last kill
until every job had finished.
"""

from __future__ import annotations

import os
import random
import signal
import time
import uuid
from typing import Any

from bench.faults.stack import (
    TERMINAL,
    ApiClient,
    FaultStack,
    base_arguments,
    count_statuses,
    fault_stack,
    jobs_by_id,
    report,
    wait_until,
)
from mimir.testing.recording import record_pipeline, runs_per_token
from mimir.testing.servers import free_port
from mimir.testing.stack import WorkerPool, api_process, worker_pool


def kill_something(pool: WorkerPool, rng: random.Random) -> str:
    """SIGKILL a whole worker (then start another) or one pool process; what was killed."""
    worker = rng.choice(pool.workers)
    children = worker.pool_children()
    if children and rng.random() < 0.5:
        os.kill(rng.choice(children), signal.SIGKILL)
        return "pool process"
    worker.kill_group()
    pool.workers.remove(worker)
    pool.start(1, concurrency=2, timeout=60)
    return "worker group"


def _unfinished(stack: FaultStack, tokens: dict[str, str]) -> int:
    return sum(1 for job in jobs_by_id(stack.db, list(tokens)).values() if job.status not in TERMINAL)


def main() -> None:
    parser = base_arguments("SIGKILL workers while jobs run; count lost and repeated jobs")
    parser.add_argument("--jobs", type=int, default=300)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--step-seconds", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    if args.smoke:
        args.jobs, args.kills, args.step_seconds = 30, 2, 0.5
    rng = random.Random(args.seed)
    with fault_stack(args.database) as stack:
        log = stack.work / "runs.log"
        with (
            worker_pool(stack.settings, stack.work / "worker-logs") as pool,
            api_process(stack.settings, stack.work / "api-logs", port=free_port()) as api,
        ):
            pool.start(2, concurrency=2)
            client = ApiClient(api.url)
            tokens: dict[str, str] = {}
            for _ in range(args.jobs):
                token = uuid.uuid4().hex
                response = client.enqueue(record_pipeline(log, token, sleep=args.step_seconds))
                response.raise_for_status()
                tokens[response.json()["job_id"]] = token
            killed: list[str] = []
            wait_until(lambda: len(runs_per_token(log)) >= 4, timeout=60, interval=0.05)
            unfinished_at_last_kill = 0
            for _ in range(args.kills):
                time.sleep(rng.uniform(0.1, 1.5))
                unfinished = _unfinished(stack, tokens)
                if not unfinished:
                    break  # a kill with nothing left to run tests nothing
                killed.append(kill_something(pool, rng))
                unfinished_at_last_kill = unfinished
            last_kill = time.monotonic()
            is_done = wait_until(
                lambda: all(j.status in TERMINAL for j in jobs_by_id(stack.db, list(tokens)).values()),
                timeout=120 + args.jobs * args.step_seconds,
                interval=0.1,
            )
            recovery_seconds = time.monotonic() - last_kill
        jobs = jobs_by_id(stack.db, list(tokens))
        runs = runs_per_token(log)
    lost = [
        job_id
        for job_id, token in tokens.items()
        if job_id not in jobs or jobs[job_id].status != "succeeded" or runs.get(token, 0) == 0
    ]
    repeated = [job_id for job_id, token in tokens.items() if runs.get(token, 0) > 1]
    results: dict[str, Any] = {
        "settings": vars(args),
        "kills": killed,
        "jobs": len(tokens),
        "statuses": count_statuses(list(jobs.values())),
        "lost": len(lost),
        "lost_job_ids": lost[:20],
        "step_ran_more_than_once": len(repeated),
        "most_runs_of_one_step": max(runs.values(), default=0),
        "jobs_with_more_than_one_attempt": sum(1 for j in jobs.values() if j.attempts > 1),
        "seconds_from_last_kill_to_all_done": recovery_seconds if is_done else None,
        "unfinished_at_last_kill": unfinished_at_last_kill,
    }
    failures = []
    if lost:
        failures.append(f"{len(lost)} jobs lost")
    if not is_done:
        failures.append("not every job finished")
    table = [
        ("jobs", str(len(tokens))),
        (
            "kills (worker groups / pool processes)",
            f"{killed.count('worker group')} / {killed.count('pool process')}",
        ),
        ("final statuses", str(results["statuses"])),
        ("jobs lost (must be 0)", str(len(lost))),
        ("jobs whose step started more than once", str(len(repeated))),
        ("jobs with more than one attempt", str(results["jobs_with_more_than_one_attempt"])),
        ("jobs not yet finished at the last kill", str(unfinished_at_last_kill)),
        ("from the last kill to all done", f"{recovery_seconds:.1f} s" if is_done else "never"),
        ("database", args.database),
    ]
    report(f"faults-workers-{args.database}", results, table, failures, args.smoke)


if __name__ == "__main__":
    main()
