"""The HTTP figures of ``/api/v1/monitoring/metrics``, worked out from the recorded metric families."""

from __future__ import annotations

import math
import resource
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from prometheus_client.metrics_core import Metric

REQUESTS = "mimir_http_requests"
LATENCY = "mimir_http_request_duration_seconds"


def http_summary(families: Iterable[Metric], uptime_seconds: float) -> dict[str, Any]:
    """Total requests, mean/p50/p95/p99 latency (ms), mean requests per second since start, error rates."""
    by_name = {family.name: family for family in families}
    total = errors = client_errors = 0.0
    for sample in by_name[REQUESTS].samples if REQUESTS in by_name else []:
        if not sample.name.endswith("_total"):
            continue
        total += sample.value
        status = sample.labels.get("status", "")
        errors += sample.value if status.startswith("5") else 0
        client_errors += sample.value if status.startswith("4") else 0
    buckets, latency_sum, latency_count = _histogram_totals(by_name.get(LATENCY))
    return {
        "total_requests": int(total),
        "requests_per_second": round(total / uptime_seconds, 3) if uptime_seconds > 0 else None,
        "error_rate": round(errors / total, 4) if total else 0.0,
        "client_error_rate": round(client_errors / total, 4) if total else 0.0,
        "latency_ms": {
            "average": _ms(latency_sum / latency_count) if latency_count else None,
            "p50": _ms(histogram_quantile(0.50, buckets)),
            "p95": _ms(histogram_quantile(0.95, buckets)),
            "p99": _ms(histogram_quantile(0.99, buckets)),
        },
    }


def histogram_quantile(quantile: float, buckets: list[tuple[float, float]]) -> float | None:
    """The ``quantile`` estimated from cumulative ``(upper bound, count)`` buckets, interpolating linearly
    inside the bucket it falls in (as Prometheus's ``histogram_quantile`` does); None without observations."""
    if not buckets or buckets[-1][1] <= 0:
        return None
    rank = quantile * buckets[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for upper_bound, count in buckets:
        if count >= rank:
            if math.isinf(upper_bound):  # above the highest finite bucket: the best we can say is that bound
                return lower_bound
            if count == lower_count:
                return upper_bound
            return lower_bound + (upper_bound - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = upper_bound, count
    return lower_bound


def process_memory() -> dict[str, float | None]:
    """This process's resident memory now and at its peak, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    peak_mib = (
        peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
    )  # bytes on macOS, KiB on Linux
    return {"rss_mib": _current_rss_mib(), "peak_rss_mib": round(peak_mib, 1)}


def _current_rss_mib() -> float | None:
    statm = Path("/proc/self/statm")
    if not statm.exists():
        return None
    resident_pages = int(statm.read_text().split()[1])
    return round(resident_pages * resource.getpagesize() / (1024 * 1024), 1)


def _histogram_totals(family: Metric | None) -> tuple[list[tuple[float, float]], float, float]:
    """Buckets summed over every label set, sorted by bound; and the total sum and count."""
    by_bound: dict[float, float] = {}
    latency_sum = latency_count = 0.0
    for sample in family.samples if family is not None else []:
        if sample.name.endswith("_bucket"):
            bound = float(sample.labels["le"])
            by_bound[bound] = by_bound.get(bound, 0.0) + sample.value
        elif sample.name.endswith("_sum"):
            latency_sum += sample.value
        elif sample.name.endswith("_count"):
            latency_count += sample.value
    return sorted(by_bound.items()), latency_sum, latency_count


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 2)
