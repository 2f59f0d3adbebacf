"""Fault 4: PostgreSQL stopped in the middle of a run, the API probed while it is down, then restarted.

    python -m bench.faults.postgres_restart [--smoke] [--jobs N] [--down S]

Jobs are running when the database stops. While it is down, enqueue, get job, list jobs, wait and
/health are called over and over: each must answer 503 with the house error body saying the database is
unavailable (a 500, or any other 5xx, breaks the invariant). Reported: the answers seen, how long after
the restart the API accepted an enqueue again, and the jobs' final statuses: none may be lost or left
queued/running.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
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

NOOP = "name: probe\nsteps:\n  - {name: a, plugin: Utility.noop}\n"


def probe_once(client: ApiClient, job_id: str) -> list[tuple[str, int, str]]:
    """(call, status, message) for each API call that needs the database."""
    calls = {
        "enqueue": lambda: client.enqueue(NOOP),
        "get job": lambda: client.request("GET", f"/api/v1/queue/jobs/{job_id}"),
        "list jobs": lambda: client.request("GET", "/api/v1/queue/jobs"),
        "wait": lambda: client.request("GET", f"/api/v1/queue/jobs/{job_id}/wait?timeout=1s"),
        "queue status": lambda: client.request("GET", "/api/v1/queue/status"),
        "health": lambda: client.request("GET", "/health"),
    }
    answers = []
    for name, call in calls.items():
        try:
            response = call()
        except requests.RequestException as exc:
            answers.append((name, 0, type(exc).__name__))
            continue
        body = (
            response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        )
        if name == "health":  # not an error body: the state of each component
            database = body.get("components", {}).get("database", {}).get("status")
            answers.append((name, response.status_code, f"database {database}"))
        else:
            answers.append((name, response.status_code, str(body.get("message", ""))[:100]))
    return answers


def main() -> None:
    parser = base_arguments("stop and restart PostgreSQL mid-run; the API must answer 503 meanwhile")
    parser.add_argument("--jobs", type=int, default=40)
    parser.add_argument("--down", type=float, default=10.0, help="seconds PostgreSQL stays down")
    args = parser.parse_args()
    args.database = "postgresql"
    if args.smoke:
        args.jobs, args.down = 10, 3.0
    with fault_stack("postgresql") as stack:
        assert stack.postgres is not None
        log = stack.work / "runs.log"
        with (
            worker_pool(stack.settings, stack.work / "worker-logs") as pool,
            api_process(stack.settings, stack.work / "api-logs", port=free_port()) as api,
        ):
            pool.start(2, concurrency=2)
            client = ApiClient(api.url)
            job_ids = []
            for _ in range(args.jobs):
                response = client.enqueue(record_pipeline(log, uuid.uuid4().hex, sleep=0.5))
                response.raise_for_status()
                job_ids.append(response.json()["job_id"])
            wait_until(lambda: len(runs_per_token(log)) >= 2, timeout=60, interval=0.05)
            stack.postgres.stop()
            answers: Counter[tuple[str, int, str]] = Counter()
            down_until = time.monotonic() + args.down
            while time.monotonic() < down_until:
                answers.update(probe_once(client, job_ids[0]))
                time.sleep(0.2)
            stack.postgres.start()
            back_at = time.monotonic()
            accepted = wait_until(lambda: client.enqueue(NOOP).status_code == 202, timeout=60)
            api_recovery = time.monotonic() - back_at
            is_done = wait_until(
                lambda: all(j.status in TERMINAL for j in jobs_by_id(stack.db, job_ids).values()), 180
            )
            jobs_done_seconds = time.monotonic() - back_at
            processes = {w.name: w.process for w in pool.workers} | {"api": api.process}
            died = sorted(name for name, process in processes.items() if process.poll() is not None)
        jobs = jobs_by_id(stack.db, job_ids)
    bad = sorted(
        f"{call}: {status} {message!r}"
        for (call, status, message) in answers
        if status != 503 or not ("database is unavailable" in message or message == "database down")
    )
    unfinished = [i for i in job_ids if i not in jobs or jobs[i].status not in TERMINAL]
    statuses = count_statuses(list(jobs.values()))
    results: dict[str, Any] = {
        "settings": vars(args),
        "answers_while_down": [
            {"call": c, "status": s, "message": m, "count": n} for (c, s, m), n in sorted(answers.items())
        ],
        "answers_not_a_clear_503": bad,
        "seconds_until_enqueue_accepted_again": api_recovery if accepted else None,
        "seconds_until_every_job_finished": jobs_done_seconds if is_done else None,
        "statuses": statuses,
        "failed_job_errors": sorted({str(j.error)[:120] for j in jobs.values() if j.status == "failed"}),
        "jobs_lost_or_stuck": unfinished,
        "processes_that_died": died,
        "logs": str(stack.work),
    }
    failures = []
    if bad:
        failures.append(f"{len(bad)} kinds of answer other than a clear 503 while the database was down")
    if not accepted:
        failures.append("the API did not accept an enqueue after the restart")
    if unfinished:
        failures.append(f"{len(unfinished)} jobs lost or left queued/running")
    if died:
        failures.append(f"processes died: {', '.join(died)}")
    calls_down = Counter(c for (c, _, _) in answers.elements())
    table = [
        ("PostgreSQL down", f"{args.down:g} s (fast shutdown, restarted on the same port)"),
        ("API calls while down", f"{sum(calls_down.values())} ({dict(calls_down)})"),
        ("answers other than 503 'database … unavailable'", str(len(bad)) + (f" {bad[:5]}" if bad else "")),
        ("enqueue accepted again after the restart", f"{api_recovery:.1f} s" if accepted else "never"),
        ("every job finished after the restart", f"{jobs_done_seconds:.1f} s" if is_done else "never"),
        ("final statuses", str(statuses)),
        ("jobs lost or left queued/running (must be 0)", str(len(unfinished))),
        ("worker/API processes that died (must be 0)", str(len(died))),
    ]
    report("faults-postgres", results, table, failures, args.smoke)


if __name__ == "__main__":
    main()
