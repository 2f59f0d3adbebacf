"""A twin simulation end to end: enqueue over HTTP -> a worker process -> stored run -> ``wait`` returns.

    python -m bench.twins_e2e [--smoke] [--repeats N]

Redis and SQLite started for the run, one ``mimir worker`` (one pool process), the API in this process
(Flask test client: the request path and the waiter are the real ones, without a socket). The twin is
``bench.twins``'s generated 10,000 entities / 30,000 relationships, the scenario its 100 steps with 50
events at depth 3; one warm-up job first (the worker's pool process imports NumPy/SciPy on its first twin
job). Target (issue 14): under 3 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from bench.common import write_results
from bench.servers import bench_servers
from bench.twins import generated_scenario, generated_twin
from mimir.testing.stack import ADMIN_KEY, migrated_database, worker_pool
from shared.twins import service
from shared.twins.validation import scenario_to_dict

TARGET_SECONDS = 3.0


def measure(entities: int, relationships: int, steps: int, events: int, repeats: int) -> dict[str, Any]:
    """Seconds from the enqueue request to ``wait`` returning the finished job, per repeat."""
    from backend.app import create_app  # the API is built only when the benchmark runs

    with bench_servers("sqlite", prefix="mimir-bench-twins-") as servers:
        settings = servers.settings()
        db = migrated_database(settings)
        twin_id = service.create_twin(db, generated_twin(entities, relationships)).id
        body = {
            "twin_id": twin_id,
            "scenario": scenario_to_dict(generated_scenario(entities, steps, events, 3)),
        }
        app = create_app(settings)
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {ADMIN_KEY}"
        seconds: list[float] = []
        jobs: list[dict[str, Any]] = []
        try:
            with worker_pool(settings, servers.work / "worker-logs") as pool:
                pool.start(1)
                for _ in range(repeats + 1):
                    started = time.perf_counter()
                    job_id = _json(client.post("/api/v1/queue/digital-twins/enqueue", json=body))["job_id"]
                    job = _json(client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout=120s"))
                    seconds.append(time.perf_counter() - started)
                    if job["status"] != "succeeded":
                        raise SystemExit(f"twin job {job_id} ended {job['status']}: {job.get('error')}")
                    jobs.append(job)
        finally:
            app.extensions["mimir"].close()
            db.dispose()
    measured, last = seconds[1:], jobs[-1]["output"]
    return {
        "entities": entities,
        "relationships": relationships,
        "steps": steps,
        "events": events,
        "repeats": repeats,
        "warm_up_seconds": round(seconds[0], 3),
        "best_seconds": round(min(measured), 3),
        "median_seconds": round(statistics.median(measured), 3),
        "simulation_seconds_in_worker": last["simulation_seconds"],
        "timeline_bytes": last["timeline_bytes"],
        "target_seconds": TARGET_SECONDS,
    }


def _json(response: Any) -> dict[str, Any]:
    body = response.get_json()
    if not isinstance(body, dict):
        raise SystemExit(f"unexpected answer {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="a tiny twin for CI")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    size = (200, 600, 10, 5) if args.smoke else (10_000, 30_000, 100, 50)
    run = measure(*size, repeats=2 if args.smoke else args.repeats)
    where = f"{run['entities']:,} / {run['relationships']:,}, {run['steps']} steps, {run['events']} events"
    table = [
        (
            f"{where}: enqueue -> worker -> stored run -> wait, best (median)",
            f"{run['best_seconds']} s ({run['median_seconds']} s) (target < {TARGET_SECONDS} s)",
        ),
        ("of which the simulation in the worker", f"{run['simulation_seconds_in_worker']} s"),
        ("first job (worker imports NumPy/SciPy)", f"{run['warm_up_seconds']} s"),
        ("timeline stored", f"{run['timeline_bytes']:,} B"),
    ]
    write_results("twins_e2e", run, table, args.smoke)


if __name__ == "__main__":
    main()
