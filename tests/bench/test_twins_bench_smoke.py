"""The twins benchmark's smoke run: tiny twins, end to end, sane figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.common import RESULTS_DIR
from mimir.testing.servers import find_redis_server, require_binary
from mimir.testing.stack import REPO_ROOT


def test_twins_bench_smoke_writes_times_and_timeline_sizes() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench.twins", "--smoke"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [run] = json.loads((RESULTS_DIR / "twins-smoke.json").read_text())["runs"]
    assert run["entities"] == 200 and run["simulate_cpu_seconds"] > 0
    assert 0 < run["timeline_bytes"] < run["timeline_raw_bytes"]


@pytest.mark.integration
def test_twins_end_to_end_smoke_runs_jobs_through_a_worker() -> None:
    require_binary(find_redis_server(), "redis-server")
    result = subprocess.run(
        [sys.executable, "-m", "bench.twins_e2e", "--smoke"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    figures = json.loads((RESULTS_DIR / "twins_e2e-smoke.json").read_text())
    assert figures["best_seconds"] > figures["simulation_seconds_in_worker"] > 0
