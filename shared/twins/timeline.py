"""A run's timeline stored as one compressed blob, not one row per entity per step.

The blob is an ``.npz`` archive (deflate, read back with ``allow_pickle=False``) holding:
``utilization`` (float32, steps x entities) and ``status`` (uint8 codes) each stored as the XOR of every
step with the step before (the first step as is), so an entity that does not change costs zero bytes
that compress to nearly nothing; and the per-entity ``average``, ``peak`` utilization, ``peak_demand``
(load over effective capacity) and ``bottleneck_steps``; and each free-form metric's values at the end
(``metric_names`` and ``metric_<i>``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from shared.errors import InvalidInput
from shared.twins.engine import SimulationResult


@dataclass
class Timeline:
    """A run's per-step arrays and per-entity figures, in the revision's entity order."""

    utilization: np.ndarray
    status: np.ndarray
    average: np.ndarray
    peak: np.ndarray
    peak_demand: np.ndarray
    bottleneck_steps: np.ndarray
    final_metrics: dict[str, np.ndarray]

    @property
    def duration(self) -> int:
        return int(self.utilization.shape[0])


def encode_timeline(result: SimulationResult) -> bytes:
    """The blob for ``result``."""
    buffer = io.BytesIO()
    names = sorted(result.final_metrics)
    arrays: dict[str, np.ndarray] = {
        "utilization": _xor_delta(result.utilization.view(np.uint32)),
        "status": _xor_delta(result.status),
        "average": result.metrics.average_utilization,
        "peak": result.metrics.peak_utilization,
        "peak_demand": result.peak_demand,
        "bottleneck_steps": result.metrics.bottleneck_steps.astype(np.int32),
        "metric_names": np.array(names, dtype=str),
        **{f"metric_{i}": result.final_metrics[name] for i, name in enumerate(names)},
    }
    np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]  # numpy's stub mixes in allow_pickle
    return buffer.getvalue()


def decode_timeline(blob: bytes) -> Timeline:
    """The timeline stored in ``blob``."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as archive:
        return Timeline(
            utilization=_undo_xor_delta(archive["utilization"]).view(np.float32),
            status=_undo_xor_delta(archive["status"]),
            average=archive["average"],
            peak=archive["peak"],
            peak_demand=archive["peak_demand"],
            bottleneck_steps=archive["bottleneck_steps"],
            final_metrics={
                str(name): archive[f"metric_{i}"] for i, name in enumerate(archive["metric_names"].tolist())
            },
        )


def step_range(timeline: Timeline, first: int | None, last: int | None) -> tuple[int, int]:
    """``[first, last]`` (inclusive, defaults: the whole run) checked against the run's steps."""
    start = 0 if first is None else first
    end = timeline.duration - 1 if last is None else last
    if not 0 <= start < timeline.duration:
        raise InvalidInput.at("from", f"step {start} is outside the run's steps 0..{timeline.duration - 1}")
    if not start <= end < timeline.duration:
        raise InvalidInput.at("to", f"step {end} is outside the range {start}..{timeline.duration - 1}")
    return start, end


def _xor_delta(values: np.ndarray) -> np.ndarray:
    out = values.copy()
    out[1:] ^= values[:-1]
    return out


def _undo_xor_delta(values: np.ndarray) -> np.ndarray:
    return np.bitwise_xor.accumulate(values, axis=0)
