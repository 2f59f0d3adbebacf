"""Fault: hostile and careless clients against one API process (issue #11, item 1).

    python -m bench.faults.api_exhaustion [--smoke] [--slow 300] [--held 1000] [--dropped 300]
                                          [--duration S] [--label L] [--database sqlite|postgresql]

At once, against one ``mimir api`` process:

- ``--slow`` slowloris connections without a key: a partial request head, then one byte every 3 s; a
  connection the server closes is reopened a second later (from ``--slow-addresses`` source addresses);
- ``--held`` ``wait`` requests held open on jobs that never finish (spread over source addresses, at most
  100 per address, as many clients would be);
- ``--dropped`` ``wait`` requests whose clients close their sockets ``--drop-after`` seconds in.

Meanwhile a probe asks ``/health`` and enqueues a job, each four times a second, from its own address.
Invariants: every ``/health`` answered 200 in under 1 s, every enqueue answered 202, the dropped waits
gone from the API's open-waits gauge (``mimir_api_waits_open``) within 3 s of their clients leaving, and
every held wait answered 200 once its job is cancelled. The source addresses are loopback aliases
(127.0.x.y), so the per-address connection cap sees the clients it would see in production.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import queue
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import Queue
from multiprocessing.synchronize import Event as EventType
from pathlib import Path
from typing import Any

import requests

from bench.api_load import release_jobs
from bench.common import percentile
from bench.faults.stack import ApiClient, base_arguments, fault_stack, report
from bench.servers import UNLIMITED
from mimir.testing.servers import free_port
from mimir.testing.stack import ADMIN_KEY, REPO_ROOT, ApiProcess, api_process, settings_environment
from shared.config import Settings
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.targets import RunTarget
from shared.pipelines.job_kind import pipeline_job_kind
from shared.pipelines.model import PipelineDefinition

HEALTH_LIMIT_SECONDS = 1.0
DROPPED_FREED_WITHIN_SECONDS = 3.0
PROBE_INTERVAL_SECONDS = 0.25
SLOW_BYTE_INTERVAL_SECONDS = 3.0
CLIENTS_PER_ADDRESS = 100
OPEN_WAITS_METRIC = "mimir_api_waits_open"
PROBE_PIPELINE = "name: exhaustion-probe\nsteps:\n  - name: a\n    plugin: Utility.noop\n"


def source_address(group: int, index: int) -> str:
    """The loopback alias the ``index``-th client of ``group`` connects from (100 clients per address)."""
    return f"127.0.{group}.{index // CLIENTS_PER_ADDRESS + 1}"


@dataclass
class Probe:
    """What the ``/health`` and enqueue probes saw."""

    health_seconds: list[float] = field(default_factory=list)
    health_outcomes: Counter[str] = field(default_factory=Counter)
    enqueue_seconds: list[float] = field(default_factory=list)
    enqueue_outcomes: Counter[str] = field(default_factory=Counter)

    def figures(self) -> dict[str, Any]:
        """Counts, outcomes and latency percentiles (ms) of both probes."""
        return {
            "health_probes": len(self.health_seconds),
            "health_outcomes": dict(self.health_outcomes),
            "health_p50_ms": percentile(self.health_seconds, 50) * 1000,
            "health_p99_ms": percentile(self.health_seconds, 99) * 1000,
            "health_max_ms": max(self.health_seconds, default=float("nan")) * 1000,
            "enqueues": len(self.enqueue_seconds),
            "enqueue_outcomes": dict(self.enqueue_outcomes),
            "enqueue_p50_ms": percentile(self.enqueue_seconds, 50) * 1000,
            "enqueue_max_ms": max(self.enqueue_seconds, default=float("nan")) * 1000,
        }


def _timed(call: Any) -> tuple[str, float]:
    started = time.perf_counter()
    try:
        response = call()
    except requests.RequestException as exc:
        return type(exc).__name__, time.perf_counter() - started
    return str(response.status_code), time.perf_counter() - started


@dataclass
class Probes:
    """The probes' findings by phase: "before" the load, "opening" while the waits and slow clients
    connect, then "held" (everything open at once, the dropped clients leaving)."""

    opening_from: float = float("inf")  # wall-clock times the phases began
    held_from: float = float("inf")
    by_phase: dict[str, Probe] = field(default_factory=dict)

    def add(self, at: float, kind: str, outcome: str, seconds: float) -> None:
        """Record one probe sent at ``at`` (wall clock)."""
        phase = "held" if at >= self.held_from else "opening" if at >= self.opening_from else "before"
        probe = self.by_phase.setdefault(phase, Probe())
        if kind == "health":
            probe.health_outcomes[outcome] += 1
            probe.health_seconds.append(seconds)
        else:
            probe.enqueue_outcomes[outcome] += 1
            probe.enqueue_seconds.append(seconds)


def run_probe(api_url: str, samples: Queue[tuple[float, str, str, float]], stopped: EventType) -> None:
    """Ask ``/health`` and enqueue a job every ``PROBE_INTERVAL_SECONDS`` until ``stopped``.

    Runs in a process of its own: in the load generator's process it would wait for the GIL behind the
    event loop driving 1,600 connections, and measure that instead of the API."""
    health = requests.Session()
    client = ApiClient(api_url)
    while not stopped.wait(PROBE_INTERVAL_SECONDS):
        at = time.time()
        outcome, seconds = _timed(lambda: health.get(f"{api_url}/health", timeout=5))
        samples.put((at, "health", outcome, seconds))
        at = time.time()
        outcome, seconds = _timed(lambda: client.enqueue(PROBE_PIPELINE))
        samples.put((at, "enqueue", outcome, seconds))


def open_waits(api_url: str) -> float | None:
    """The API's open-waits gauge (None when ``/metrics`` does not answer)."""
    try:
        response = requests.get(
            f"{api_url}/metrics", headers={"Authorization": f"Bearer {ADMIN_KEY}"}, timeout=5
        )
    except requests.RequestException:
        return None
    total = 0.0
    for line in response.text.splitlines():
        if line.startswith(OPEN_WAITS_METRIC):
            total += float(line.rsplit(" ", 1)[1])
    return total


@dataclass
class SlowClients:
    """Slowloris connections: how often they connected and how often the server closed them."""

    connects: int = 0
    closed_by_server: int = 0
    refused: Counter[str] = field(default_factory=Counter)


async def slowloris(host: str, port: int, local: str, stats: SlowClients, stop_at: list[float]) -> None:
    """Send a request head one byte at a time, reconnecting a second after the server closes it."""
    head = f"GET /api/v1/queue/status HTTP/1.1\r\nHost: {host}\r\n".encode() + b"X-Slow: " + b"a" * 4096
    while time.monotonic() < stop_at[0]:
        try:
            reader, writer = await asyncio.open_connection(host, port, local_addr=(local, 0))
        except OSError as exc:
            stats.refused[type(exc).__name__] += 1
            await asyncio.sleep(1)
            continue
        stats.connects += 1
        try:
            writer.write(head[:16])
            for byte in head[16:]:
                await writer.drain()
                read = asyncio.ensure_future(reader.read(4096))
                done, _ = await asyncio.wait({read}, timeout=SLOW_BYTE_INTERVAL_SECONDS)
                if done:  # an answer (the cap's 429), end of stream or a reset: the server let go
                    read.exception()  # retrieved, so a reset is not reported as unhandled
                    stats.closed_by_server += 1
                    break
                read.cancel()
                if time.monotonic() >= stop_at[0]:
                    break
                writer.write(bytes([byte]))
        except OSError:
            stats.closed_by_server += 1
        finally:
            writer.close()
        await asyncio.sleep(1)


async def wait_request(
    host: str, port: int, local: str, job_id: str, seconds: int, drop: asyncio.Event | None
) -> str:
    """How a ``wait`` on ``job_id`` ended: its status, "dropped" (we closed it when ``drop`` was set)
    or the error's name."""
    try:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(local, 0))
    except OSError as exc:
        return f"connect: {type(exc).__name__}"
    head = (
        f"GET /api/v1/queue/jobs/{job_id}/wait?timeout={seconds}s HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {ADMIN_KEY}\r\n\r\n"
    )
    try:
        writer.write(head.encode())
        answer = asyncio.ensure_future(reader.readline())
        dropped = asyncio.ensure_future(drop.wait() if drop is not None else asyncio.sleep(seconds + 30))
        done, _ = await asyncio.wait({answer, dropped}, return_when=asyncio.FIRST_COMPLETED)
        if answer not in done:
            answer.cancel()
            return "dropped" if drop is not None else "TimeoutError"
        dropped.cancel()
        parts = answer.result().split()
        return parts[1].decode() if len(parts) > 1 else "closed"
    except OSError as exc:
        return type(exc).__name__
    finally:
        writer.close()


@dataclass
class Scenario:
    """What the client side saw over one run."""

    probes: Probes
    slow: SlowClients
    opened_seconds: float | None
    held_early: Counter[str]
    held_after_release: Counter[str]
    dropped: Counter[str]
    open_waits_samples: list[tuple[float, float | None]]
    dropped_freed_seconds: float | None
    release_seconds: float
    held_cpu_share: float  # CPU seconds the API used per second while everything was open

    def dropped_outcomes_other(self) -> bool:
        """Whether a dropped wait ended some other way than by its client leaving."""
        return set(self.dropped) - {"dropped"} != set()


async def _gauge_reaches(
    api_url: str, target: float, below: bool, timeout: float, samples: list[tuple[float, float | None]]
) -> float | None:
    """Seconds until the open-waits gauge is at least (or, ``below``, at most) ``target``; None if never."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < timeout:
        value = await asyncio.to_thread(open_waits, api_url)
        samples.append((round(elapsed, 2), value))
        if value is not None and (value <= target if below else value >= target):
            return elapsed
        await asyncio.sleep(0.2)
    return None


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) used so far by process ``pid`` and its children (gunicorn's workers)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    total = 0.0
    for process in [str(pid), *children]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def run_scenario(
    api_url: str, api_pid: int, held: list[str], dropped: list[str], release: Any, args: Any
) -> Scenario:
    """Open the slow connections and every wait; once all are open, drop the dropped ones and hold the
    rest for ``args.duration``; probe throughout; then release the held jobs."""
    host, port = "127.0.0.1", int(api_url.rsplit(":", 1)[1])
    wait_seconds = int(args.duration + 120)
    context = multiprocessing.get_context("spawn")
    probes, probe_samples, stopped = Probes(), context.Queue(), context.Event()
    prober = context.Process(target=run_probe, args=(api_url, probe_samples, stopped), daemon=True)
    prober.start()
    probes.add(*await asyncio.to_thread(probe_samples.get, True, 60))  # the prober is up: load begins
    probes.opening_from = time.time()
    slow = SlowClients()
    slow_deadline = [time.monotonic() + 1e9]  # until the held phase ends (set below)
    slow_tasks = [
        asyncio.create_task(
            slowloris(host, port, f"127.0.3.{i % args.slow_addresses + 1}", slow, slow_deadline)
        )
        for i in range(args.slow)
    ]
    held_tasks = [
        asyncio.create_task(wait_request(host, port, source_address(1, i), job, wait_seconds, None))
        for i, job in enumerate(held)
    ]
    drop = asyncio.Event()
    dropped_tasks = [
        asyncio.create_task(wait_request(host, port, source_address(2, i), job, wait_seconds, drop))
        for i, job in enumerate(dropped)
    ]
    samples: list[tuple[float, float | None]] = []
    opened = await _gauge_reaches(api_url, len(held) + len(dropped), False, 60, samples)
    probes.held_from = time.time()
    cpu_at, wall_at = cpu_seconds(api_pid), time.monotonic()
    held_until = time.monotonic() + args.duration
    await asyncio.sleep(min(args.drop_after, args.duration))
    drop.set()
    dropped_outcomes = Counter(await asyncio.gather(*dropped_tasks))
    freed = await _gauge_reaches(api_url, len(held), True, max(held_until - time.monotonic(), 5), samples)
    await asyncio.sleep(max(held_until - time.monotonic(), 0))
    slow_deadline[0] = time.monotonic()
    held_cpu_share = (cpu_seconds(api_pid) - cpu_at) / (time.monotonic() - wall_at)
    stopped.set()
    await asyncio.to_thread(prober.join, 30)
    while True:
        try:
            probes.add(*probe_samples.get(timeout=1))
        except queue.Empty:
            break
    await asyncio.gather(*slow_tasks)
    early = Counter(task.result() for task in held_tasks if task.done())
    released_at = time.monotonic()
    await asyncio.to_thread(release)
    done, pending = await asyncio.wait(held_tasks, timeout=60)
    for task in pending:
        task.cancel()
    return Scenario(
        probes=probes,
        slow=slow,
        opened_seconds=opened,
        held_early=early,
        held_after_release=Counter(task.result() for task in done),
        dropped=dropped_outcomes,
        open_waits_samples=samples,
        dropped_freed_seconds=freed,
        release_seconds=time.monotonic() - released_at,
        held_cpu_share=held_cpu_share,
    )


def never_finishing_jobs(db: Database, count: int) -> list[str]:
    """Ids of ``count`` queued jobs whose message is never published (nothing will run them)."""
    definition = PipelineDefinition.from_dict(
        {"name": "exhaustion-held", "steps": [{"name": "a", "plugin": "Utility.noop"}]}
    )
    return [
        service.create_job(db, pipeline_job_kind(), RunTarget(definition=definition).job_request({})).id
        for _ in range(count)
    ]


@contextmanager
def waitress_process(settings: Settings, log_dir: Path, *, port: int) -> Iterator[ApiProcess]:
    """The API under waitress (``bench/waitress_api.py``), for comparison with ``mimir api``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "api.log"
    env = settings_environment(settings) | {"MIMIR_SERVER_PORT": str(port)}
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.waitress_api"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO_ROOT,
        )
    api = ApiProcess(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{api.url}/health", timeout=5)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("waitress did not start:\n" + log_path.read_text()) from None
                time.sleep(0.1)
        yield api
    finally:
        api.stop()


def failures_of(scenario: Scenario, args: Any) -> list[str]:
    """The invariants the run broke."""
    failures = []
    held = scenario.probes.by_phase.get("held", Probe())
    slow_health = [s for s in held.health_seconds if s >= HEALTH_LIMIT_SECONDS]
    if slow_health or set(held.health_outcomes) != {"200"}:
        failures.append(
            f"/health with everything open: {len(slow_health)} of {len(held.health_seconds)} took"
            f" >= {HEALTH_LIMIT_SECONDS:g} s; outcomes {dict(held.health_outcomes)}"
        )
    for phase, probe in scenario.probes.by_phase.items():
        if set(probe.enqueue_outcomes) - {"202"}:
            failures.append(f"enqueues while {phase}: not all accepted: {dict(probe.enqueue_outcomes)}")
        if set(probe.health_outcomes) - {"200"}:
            failures.append(f"/health while {phase}: not all 200: {dict(probe.health_outcomes)}")
    if scenario.opened_seconds is None:
        failures.append("the waits were not all open within 60 s")
    if scenario.dropped_outcomes_other():
        failures.append(f"dropped waits ended before their clients left: {dict(scenario.dropped)}")
    freed = scenario.dropped_freed_seconds
    if freed is None or freed > DROPPED_FREED_WITHIN_SECONDS:
        failures.append(f"dropped waits not freed within {DROPPED_FREED_WITHIN_SECONDS:g} s")
    if scenario.held_early:
        failures.append(f"held waits ended early: {dict(scenario.held_early)}")
    if scenario.held_after_release.get("200", 0) != args.held:
        failures.append(f"held waits after release: {dict(scenario.held_after_release)}")
    return failures


def _probe_rows(phase: str, probe: Probe) -> list[tuple[str, str]]:
    figures = probe.figures()
    return [
        (
            f"/health p50 / p99 / max, {phase}",
            f"{figures['health_p50_ms']:.0f} / {figures['health_p99_ms']:.0f}"
            f" / {figures['health_max_ms']:.0f} ms"
            f" ({figures['health_probes']} probes, {figures['health_outcomes']})",
        ),
        (
            f"enqueue p50 / max, {phase}",
            f"{figures['enqueue_p50_ms']:.0f} / {figures['enqueue_max_ms']:.0f} ms"
            f" ({figures['enqueue_outcomes']})",
        ),
    ]


def main() -> None:
    parser = base_arguments("slow, held and dropped clients at once; /health and enqueue must keep answering")
    parser.add_argument("--slow", type=int, default=300, help="slowloris connections")
    parser.add_argument("--slow-addresses", type=int, default=1, help="source addresses of the slow clients")
    parser.add_argument("--held", type=int, default=1000, help="wait requests held open")
    parser.add_argument("--dropped", type=int, default=300, help="wait requests whose clients go away")
    parser.add_argument(
        "--drop-after",
        type=float,
        default=5.0,
        help="seconds after every wait is open that dropped clients leave",
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds everything stays open")
    parser.add_argument(
        "--server",
        choices=["mimir", "waitress"],
        default="mimir",
        help="serve with `mimir api`, or with waitress (a candidate measured for comparison)",
    )
    parser.add_argument("--label", default="", help="suffix of the results' name (e.g. the worker class)")
    args = parser.parse_args()
    if args.smoke:
        args.slow, args.held, args.dropped, args.drop_after, args.duration = 50, 200, 50, 2.0, 8.0
    overrides: dict[str, Any] = {
        "rate_limit_enqueue": UNLIMITED,
        "rate_limit_reads": UNLIMITED,
        "requeue_after_seconds": 3600.0,
    }
    with fault_stack(args.database, **overrides) as stack:
        held = never_finishing_jobs(stack.db, args.held)
        dropped = never_finishing_jobs(stack.db, args.dropped)
        release = partial(release_jobs, stack.db, stack.settings.resolved_redis_url, held)
        serve = api_process if args.server == "mimir" else waitress_process
        with serve(stack.settings, stack.work / "api-logs", port=free_port()) as api:
            scenario = asyncio.run(run_scenario(api.url, api.process.pid, held, dropped, release, args))
            api_alive = api.process.poll() is None
    failures = failures_of(scenario, args)
    if not api_alive:
        failures.append("the API process died")
    results: dict[str, Any] = {
        "settings": vars(args),
        "probes": {phase: probe.figures() for phase, probe in scenario.probes.by_phase.items()},
        "waits_opened_seconds": scenario.opened_seconds,
        "slow_connects": scenario.slow.connects,
        "slow_closed_by_server": scenario.slow.closed_by_server,
        "slow_refused": dict(scenario.slow.refused),
        "dropped_outcomes": dict(scenario.dropped),
        "open_waits_samples": scenario.open_waits_samples,
        "dropped_freed_seconds": scenario.dropped_freed_seconds,
        "held_waits_returned_early": dict(scenario.held_early),
        "held_waits_after_release": dict(scenario.held_after_release),
        "held_waits_release_seconds": scenario.release_seconds,
        "api_cpu_share_while_held": scenario.held_cpu_share,
        "logs": str(stack.work),
    }
    freed, opened = scenario.dropped_freed_seconds, scenario.opened_seconds
    table = [
        ("mix", f"{args.slow} slow + {args.held} held + {args.dropped} dropped, held {args.duration:g} s"),
        ("every wait open (open-waits gauge)", f"{opened:.1f} s after they were sent" if opened else "never"),
    ]
    for phase, probe in scenario.probes.by_phase.items():
        table += _probe_rows(phase, probe)
    table += [
        (
            "slow clients",
            f"{scenario.slow.connects} connections, {scenario.slow.closed_by_server} closed or refused by"
            f" the server, refused at connect: {dict(scenario.slow.refused)}",
        ),
        (
            "dropped waits freed (open-waits gauge)",
            f"{freed:.1f} s after their clients left" if freed is not None else "not within the run",
        ),
        (
            "held waits",
            f"{sum(scenario.held_early.values())} ended early;"
            f" {scenario.held_after_release.get('200', 0)} of {args.held} answered"
            f" {scenario.release_seconds:.1f} s after release",
        ),
        ("API CPU while everything was open", f"{scenario.held_cpu_share:.0%} of a core"),
        ("server", args.server),
        ("database", args.database),
    ]
    label = args.label or ("" if args.server == "mimir" else args.server)
    name = f"faults-api-exhaustion-{args.database}" + (f"-{label}" if label else "")
    report(name, results, table, failures, args.smoke)


if __name__ == "__main__":
    main()
