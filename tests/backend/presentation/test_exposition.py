"""Metrics without servers: aggregation across processes, quantiles, bounded labels."""

from __future__ import annotations

import math
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from backend.presentation.exposition import recorded_families, render
from backend.presentation.summary import histogram_quantile, http_summary
from mimir.testing.stack import REPO_ROOT
from shared.jobs.statistics import percentile
from shared.observability import metrics

CHILD = """
import sys
from pathlib import Path
from shared.observability import metrics
metrics.enable_multiprocess(Path(sys.argv[1]))
for _ in range(3):
    metrics.job_enqueued(sys.argv[2], "api")
metrics.http_request("GET", "/health", 200, 0.02)
"""


def _value(families: list, sample_name: str, **labels: str) -> float:
    return sum(s.value for f in families for s in f.samples if s.name == sample_name and s.labels == labels)


def test_recorded_families_add_other_processes_files_to_this_processs_values(tmp_path: Path) -> None:
    pipeline = f"p-{uuid.uuid4().hex[:8]}"
    subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), pipeline], check=True, cwd=REPO_ROOT)
    metrics.job_enqueued(pipeline, "api")  # this process keeps its values in memory

    families = recorded_families(tmp_path)

    assert _value(families, "mimir_jobs_enqueued_total", pipeline=pipeline, triggered_by="api") == 4
    assert list(tmp_path.glob("counter_*.db")), "the child wrote its counters to the shared directory"
    assert b"mimir_jobs_enqueued_total" in render(families)
    assert not any(s.name.endswith("_created") for f in families for s in f.samples)


def test_http_summary_reads_counts_latency_and_errors() -> None:
    before = http_summary(recorded_families(Path("/nonexistent")), 1.0)["total_requests"]
    route = f"/test/{uuid.uuid4().hex[:8]}"
    for status, seconds in ((200, 0.01), (200, 0.02), (404, 0.01), (500, 0.2)):
        metrics.http_request("GET", route, status, seconds)

    summary = http_summary(recorded_families(Path("/nonexistent")), 10.0)

    assert summary["total_requests"] == before + 4
    assert summary["error_rate"] > 0 and summary["client_error_rate"] > 0
    assert summary["latency_ms"]["average"] > 0


def test_histogram_quantile_interpolates_inside_the_bucket() -> None:
    buckets = [(0.1, 50.0), (0.5, 100.0), (math.inf, 100.0)]

    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1)
    assert histogram_quantile(0.95, buckets) == pytest.approx(0.46)


def test_histogram_quantile_above_the_last_bound_is_that_bound() -> None:
    assert histogram_quantile(0.99, [(0.1, 1.0), (math.inf, 10.0)]) == 0.1


def test_histogram_quantile_without_observations_is_none() -> None:
    assert histogram_quantile(0.5, [(0.1, 0.0), (math.inf, 0.0)]) is None
    assert histogram_quantile(0.5, []) is None


def test_percentile_is_linear_between_ranks() -> None:
    assert percentile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) is None


def test_pipeline_labels_stop_growing_at_the_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(metrics, "_pipelines_seen", {f"seen-{i}" for i in range(metrics.MAX_PIPELINE_LABELS)})

    assert metrics.pipeline_label("seen-3") == "seen-3"
    assert metrics.pipeline_label("brand-new") == metrics.OTHER
