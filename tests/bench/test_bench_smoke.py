"""The benchmarks' smoke runs: each script runs end to end and writes sane figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bench.common import RESULTS_DIR
from tests.harness.servers import find_redis_server, require_binary
from tests.stack import REPO_ROOT

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
