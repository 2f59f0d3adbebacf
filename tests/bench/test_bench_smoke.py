"""The benchmarks' smoke runs: each script runs end to end and writes sane figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.common import RESULTS_DIR
from mimir.testing.servers import find_redis_server, require_binary
from mimir.testing.stack import REPO_ROOT

pytestmark = pytest.mark.integration


def _run(module: str, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", module, "--smoke", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_step_overhead_smoke_writes_positive_figures() -> None:
    _run("bench.step_overhead")
    figures = json.loads((RESULTS_DIR / "step_overhead-smoke.json").read_text())
    assert figures["light"]["pipeline_seconds"] > figures["light"]["computation_seconds"] > 0
    assert figures["heavy"]["steps"] == 10 and figures["machine"]["cpus"] >= 1


def test_overhead_smoke_measures_both_sides() -> None:
    require_binary(find_redis_server(), "redis-server")
    _run("bench.overhead")
    figures = json.loads((RESULTS_DIR / "overhead-sqlite-smoke.json").read_text())
    for side in ("raw_celery", "mimir"):
        assert figures[side]["throughput_jobs_per_s"] > 0
        assert figures[side]["latency_samples"] > 0
    assert figures["throughput_ratio"] > 0


def test_scaling_smoke_measures_each_worker_count() -> None:
    require_binary(find_redis_server(), "redis-server")
    _run("bench.scaling")
    figures = json.loads((RESULTS_DIR / "scaling-sqlite-smoke.json").read_text())
    assert [run["workers"] for run in figures["runs"]] == [1, 2]
    for run in figures["runs"]:
        assert run["jobs_per_s"] > 0 and run["failed"] == 0
    assert figures["runs"][0]["efficiency"] == 1.0


def test_api_load_smoke_keeps_enqueues_flowing_while_waits_are_held() -> None:
    require_binary(find_redis_server(), "redis-server")
    _run("bench.api_load")
    figures = json.loads((RESULTS_DIR / "api_load-sqlite-smoke.json").read_text())
    assert figures["alone"]["enqueues_per_s"] > 0
    assert figures["with_held_waits"]["enqueues_per_s"] > 0
    assert figures["held_waits_returned_early"] == {}
    assert figures["held_waits_after_release"] == {"200": figures["settings"]["held"]}


def test_memory_smoke_measures_both_trees_within_the_bound() -> None:
    require_binary(find_redis_server(), "redis-server")
    _run("bench.memory")
    figures = json.loads((RESULTS_DIR / "memory-sqlite-smoke.json").read_text())
    for side in ("api", "worker"):
        assert figures["snapshots"]["idle"][side]["rss_mib"] > 10
        assert figures["snapshots"]["idle"][side]["processes"] >= 2
        assert figures["growth_rss_mib"][side] <= figures["settings"]["bound_mib"]
