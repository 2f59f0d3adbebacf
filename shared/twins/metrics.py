"""What a run says: per-entity average and peak utilization, bottlenecks, a stability score, the most
affected entities and recommendations in plain words, all computed from the timeline arrays.

Stability score (0..100, higher is calmer):
    stability = 100 x (1 - D) x (1 - V)
    D = share of (entity, step) cells that are bottleneck, unavailable or failed
    V = mean over entities and steps of |utilization(t) - utilization(t-1)| (0 for a one-step run)

Metric totals: per free-form metric (``metric_shock``), its sum over entities before and after the run.

Affected score of an entity = mean over steps of |utilization(t) - utilization(0 events)| + share of its
steps disrupted (bottleneck, unavailable or failed); "most affected" are the ten highest above 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shared.twins.arrays import TwinArrays
from shared.twins.model import EntityStatus

TOP = 10
MAX_LISTED_BOTTLENECKS = 100
CHUNK_STEPS = 256  # steps per block when summing over a timeline (bounds the temporaries)
PEAK_CAP = 1e6  # an entity with load and no capacity has an infinite ratio; JSON cannot hold that
# Status codes are ordered by severity: bottleneck and everything after it count as disrupted.
_FIRST_DISRUPTED = EntityStatus.BOTTLENECK.code


@dataclass
class RunMetrics:
    """The figures of a run: ``summary`` is JSON-able; the per-entity arrays are stored with the timeline."""

    summary: dict[str, Any]
    average_utilization: np.ndarray = field(repr=False)
    peak_utilization: np.ndarray = field(repr=False)
    bottleneck_steps: np.ndarray = field(repr=False)


def run_metrics(
    arrays: TwinArrays, utilization: np.ndarray, status: np.ndarray, peak_ratio: np.ndarray
) -> RunMetrics:
    """The metrics of a timeline of ``arrays``' entities."""
    duration = utilization.shape[0]
    average = utilization.mean(axis=0, dtype=np.float64)
    peak = utilization.max(axis=0)
    is_bottleneck = status == EntityStatus.BOTTLENECK.code
    is_disrupted = status >= _FIRST_DISRUPTED
    bottleneck_steps = is_bottleneck.sum(axis=0)
    disrupted_steps = is_disrupted.sum(axis=0)
    disrupted_share = float(is_disrupted.mean()) if is_disrupted.size else 0.0
    volatility, drift = _changes(utilization, _baseline_utilization(arrays))
    stability = round(100.0 * (1.0 - disrupted_share) * (1.0 - volatility), 2)
    affected = drift + disrupted_steps / duration
    runs = bottleneck_runs(is_bottleneck)
    peak_ratio = np.minimum(peak_ratio, PEAK_CAP)
    summary: dict[str, Any] = {
        "duration": duration,
        "entities": arrays.size,
        "stability_score": stability,
        "disrupted_share": round(disrupted_share, 6),
        "volatility": round(volatility, 6),
        "average_utilization": round(float(average.mean()) if average.size else 0.0, 6),
        "bottleneck_count": len(runs),
        "bottleneck_entities": int((bottleneck_steps > 0).sum()),
        "bottlenecks": [
            {"uri": arrays.uris[e], "label": arrays.labels[e], "from_step": s, "duration": d}
            for e, s, d in runs[:MAX_LISTED_BOTTLENECKS]
        ],
        "most_affected": _most_affected(arrays, affected, average, peak, disrupted_steps),
    }
    summary["recommendations"] = recommendations(
        arrays, duration, average, bottleneck_steps, peak_ratio, status
    )
    return RunMetrics(summary, average.astype(np.float32), peak.astype(np.float32), bottleneck_steps)


def metric_totals(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Per free-form metric, its sum over entities before the run and at its end."""
    totals = {}
    for name in sorted(set(before) | set(after)):
        start = float(before[name].sum()) if name in before else 0.0
        end = float(after[name].sum()) if name in after else start
        totals[name] = {"before": round(start, 6), "after": round(end, 6), "change": round(end - start, 6)}
    return totals


def _changes(utilization: np.ndarray, baseline: np.ndarray) -> tuple[float, np.ndarray]:
    """(mean |u(t) - u(t-1)| over all cells, per-entity mean |u(t) - baseline|), a block of steps at a
    time so a long run's temporaries stay small."""
    duration, n = utilization.shape
    step_changes = 0.0
    drift = np.zeros(n)
    for start in range(0, duration, CHUNK_STEPS):
        block = utilization[start : start + CHUNK_STEPS]
        drift += np.abs(block - baseline).sum(axis=0, dtype=np.float64)
        # Include the step before the block so the change across the block boundary is counted once.
        with_previous = utilization[max(start - 1, 0) : start + CHUNK_STEPS]
        step_changes += float(np.abs(np.diff(with_previous, axis=0)).sum(dtype=np.float64))
    cells = (duration - 1) * n
    return (step_changes / cells if cells else 0.0), drift / duration


def bottleneck_runs(is_bottleneck: np.ndarray) -> list[tuple[int, int, int]]:
    """``(entity, from_step, duration)`` of every stretch of consecutive bottleneck steps, longest first."""
    n = is_bottleneck.shape[1]
    padded = np.zeros((is_bottleneck.shape[0] + 2, n), dtype=np.int8)
    padded[1:-1] = is_bottleneck
    change = np.diff(padded, axis=0)
    start_steps, start_entities = np.nonzero(change == 1)
    end_steps, end_entities = np.nonzero(change == -1)
    # Ordering both by (entity, step) pairs each start with its end.
    starts = np.lexsort((start_steps, start_entities))
    ends = np.lexsort((end_steps, end_entities))
    entities = start_entities[starts]
    begin = start_steps[starts]
    length = end_steps[ends] - begin
    order = np.lexsort((begin, entities, -length))
    return [(int(entities[i]), int(begin[i]), int(length[i])) for i in order]


def recommendations(
    arrays: TwinArrays,
    duration: int,
    average: np.ndarray,
    bottleneck_steps: np.ndarray,
    peak_ratio: np.ndarray,
    status: np.ndarray,
) -> list[str]:
    """Plain-word advice derived from the figures, most pressing first."""
    advice: list[str] = []
    for e in _top(bottleneck_steps, 5):
        peak = (
            "with none of its capacity left for its demand"
            if peak_ratio[e] >= PEAK_CAP
            else f"demand peaking at {peak_ratio[e]:.0%} of its capacity"
        )
        advice.append(
            f"add capacity to {_name(arrays, e)}: over capacity for {int(bottleneck_steps[e])} of {duration} "
            f"steps, {peak}"
        )
    out_of_service = (status == EntityStatus.UNAVAILABLE.code) | (status == EntityStatus.FAILED.code)
    down_steps = out_of_service.sum(axis=0) - (arrays.down + arrays.failed > 0) * duration
    for e in _top(down_steps, 3):
        advice.append(
            f"plan a fallback for {_name(arrays, e)}: out of service for {int(down_steps[e])} of "
            f"{duration} steps"
        )
    busy = np.where((bottleneck_steps == 0) & (average >= 0.9), average, 0.0)
    for e in _top(busy, 3):
        advice.append(f"watch {_name(arrays, e)}: average utilization {average[e]:.0%}, close to capacity")
    if not advice:
        advice.append("no entity went over capacity or out of service: no action needed for this scenario")
    return advice


def _most_affected(
    arrays: TwinArrays,
    affected: np.ndarray,
    average: np.ndarray,
    peak: np.ndarray,
    disrupted_steps: np.ndarray,
) -> list[dict[str, Any]]:
    return [
        {
            "uri": arrays.uris[e],
            "label": arrays.labels[e],
            "score": round(float(affected[e]), 6),
            "average_utilization": round(float(average[e]), 6),
            "peak_utilization": round(float(peak[e]), 6),
            "disrupted_steps": int(disrupted_steps[e]),
        }
        for e in _top(affected, TOP)
    ]


def _top(values: np.ndarray, count: int) -> list[int]:
    """Positions of the ``count`` largest values above 0, largest first (ties by position)."""
    positive = np.flatnonzero(values > 1e-12)
    if len(positive) == 0:
        return []
    order = np.lexsort((positive, -values[positive]))[:count]
    return [int(positive[i]) for i in order]


def _baseline_utilization(arrays: TwinArrays) -> np.ndarray:
    is_up = (arrays.down + arrays.failed) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(arrays.capacity > 0, arrays.base_load / arrays.capacity, 0.0)
    return np.where(is_up, np.minimum(ratio, 1.0), 0.0).astype(np.float32)


def _name(arrays: TwinArrays, e: int) -> str:
    label, uri = arrays.labels[e], arrays.uris[e]
    return f"{label} ({uri})" if label != uri else uri
