"""Fault 2: three ``mimir beat`` processes, the leader SIGKILLed again and again, a per-second schedule.

    python -m bench.faults.beat [--smoke] [--kills K] [--interval S] [--database sqlite|postgresql]

Every ``interval`` seconds the beat holding the leader lease is SIGKILLed and a new beat started, so
three are always running. Reported: jobs per slot (every slot from the first to the last must have
exactly one), the largest gap between two consecutive fires, the worst lateness of a fire after its
slot, and how long each failover took (kill until another beat holds the lease).
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from bench.faults.stack import ApiClient, base_arguments, fault_stack, report
from mimir.testing.schedule_rows import jobs_of
from mimir.testing.servers import free_port
from mimir.testing.stack import BeatPool, api_process, beat_pool
from shared.db.base import utcnow

SECOND = timedelta(seconds=1)


def per_second_schedule(client: ApiClient) -> dict[str, Any]:
    """A schedule firing a no-op pipeline every second."""
    pipeline = client.request(
        "POST",
        "/api/v1/pipelines",
        json={"pipeline_yaml": "name: tick\nsteps:\n  - {name: a, plugin: Utility.noop}\n"},
    )
    pipeline.raise_for_status()
    body = {"name": "every-second", "pipeline_id": pipeline.json()["id"], "cron_expr": "* * * * * *"}
    response = client.request("POST", "/api/v1/scheduler/jobs", json=body)
    response.raise_for_status()
    return dict(response.json())


def kill_leader(beats: BeatPool) -> float:
    """SIGKILL the leader, start a replacement; seconds until another beat holds the lease."""
    leader = beats.leader()
    beats.kill(leader)
    killed_at = time.monotonic()
    beats.start(1)
    beats.leader(timeout=60)
    return time.monotonic() - killed_at


def main() -> None:
    parser = base_arguments("kill the beat leader repeatedly; count fires per slot")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--interval", type=float, default=3.0)
    args = parser.parse_args()
    if args.smoke:
        args.kills, args.interval = 2, 2.0
    with fault_stack(args.database) as stack:
        with (
            beat_pool(stack.settings, stack.work / "beat-logs") as beats,
            api_process(stack.settings, stack.work / "api-logs", port=free_port()) as api,
        ):
            client = ApiClient(api.url)
            beats.start(3)
            beats.leader(timeout=60)
            schedule = per_second_schedule(client)
            first = datetime.fromisoformat(schedule["next_run"])
            failovers = []
            for _ in range(args.kills):
                time.sleep(args.interval)
                failovers.append(kill_leader(beats))
            time.sleep(args.interval)
            client.request("POST", f"/api/v1/scheduler/jobs/{schedule['id']}/disable").raise_for_status()
            until = utcnow() - timedelta(seconds=1.5)  # slots this old were certainly due while beats ran
        jobs = [j for j in jobs_of(stack.db, schedule["id"]) if j.scheduled_for is not None]
    per_slot = Counter(j.scheduled_for for j in jobs)
    expected = [first + i * SECOND for i in range(int((until - first).total_seconds()) + 1)]
    missing = [s for s in expected if per_slot[s] == 0]
    doubled = [s for s, n in per_slot.items() if n > 1]
    created = sorted(j.created_at for j in jobs)
    largest_gap = max(
        ((b - a).total_seconds() for a, b in zip(created, created[1:], strict=False)), default=0.0
    )
    lateness = max(
        ((j.created_at - j.scheduled_for).total_seconds() for j in jobs if j.scheduled_for), default=0.0
    )
    results: dict[str, Any] = {
        "settings": vars(args),
        "slots": len(expected),
        "jobs": len(jobs),
        "missing_slots": [s.isoformat() for s in missing],
        "slots_fired_more_than_once": [s.isoformat() for s in doubled],
        "largest_gap_seconds": largest_gap,
        "worst_lateness_seconds": lateness,
        "failover_seconds": failovers,
        "lease_seconds": stack.settings.scheduler_lease_seconds,
    }
    failures = []
    if missing:
        failures.append(f"{len(missing)} slots never fired")
    if doubled:
        failures.append(f"{len(doubled)} slots fired more than once")
    table = [
        ("leader kills", str(len(failovers))),
        ("slots (first to last)", str(len(expected))),
        (
            "fires per slot (must be exactly 1)",
            "1" if not (missing or doubled) else f"{len(missing)} missing, {len(doubled)} doubled",
        ),
        ("largest gap between fires", f"{largest_gap:.2f} s"),
        ("worst lateness of a fire", f"{lateness:.2f} s"),
        (
            "failover (kill to new leader) max",
            f"{max(failovers, default=0):.2f} s (lease {stack.settings.scheduler_lease_seconds:g} s)",
        ),
        ("database", args.database),
    ]
    report(f"faults-beat-{args.database}", results, table, failures, args.smoke)


if __name__ == "__main__":
    main()
