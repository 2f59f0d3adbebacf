"""The simulation: a scenario run step by step over a twin's arrays, vectorised over entities.

``simulate(twin, scenario)`` is a plain function (no database, no job): a job runner or a test calls it
with callbacks for progress (``on_step(done, total)``) and cancellation (``should_stop()``, checked
between steps). Same twin revision + scenario + seed gives the same arrays bit for bit: every random draw
comes from ``numpy.random.default_rng(seed)`` in a fixed order and every sum runs in a fixed order.

Each step t (0-based; events at step t apply before step t is recorded):
    effective capacity = capacity x exp(cap_log) x (1 - clip(loss, 0, 1)), 0 while down or failed
    load = base load x max(1 + demand, 0) x exp(demand_log) x max(1 + demand_noise x N(0, 1), 0)
    utilization = min(load / effective capacity, 1)   (0 while down or failed)
    status = failed | unavailable | bottleneck (load > effective capacity) | degraded (capacity below
             its base) | operational
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from shared.errors import MimirError
from shared.twins.arrays import TwinArrays, twin_arrays
from shared.twins.events import BASE_CHANNELS, CAP_LOG, DEMAND, DEMAND_LOG, DOWN, FAILED, LOSS
from shared.twins.limits import check_run_size
from shared.twins.metrics import RunMetrics, metric_totals, run_metrics
from shared.twins.model import EntityStatus, Scenario, Twin
from shared.twins.schedule import compile_schedule

OVER_CAPACITY_TOLERANCE = 1e-9  # load within this share above capacity is "at capacity", not over
_OPERATIONAL = EntityStatus.OPERATIONAL.code
_DEGRADED = EntityStatus.DEGRADED.code
_BOTTLENECK = EntityStatus.BOTTLENECK.code
_UNAVAILABLE = EntityStatus.UNAVAILABLE.code
_FAILED = EntityStatus.FAILED.code


class SimulationStopped(MimirError):
    """``should_stop()`` said yes between two steps."""

    def __init__(self, step: int) -> None:
        super().__init__(f"simulation stopped before step {step}")
        self.step = step


@dataclass
class SimulationResult:
    """A finished run: the timeline (``utilization`` and ``status`` codes, one row per step), the peak of
    load over effective capacity per entity, the metrics at the end, the event log and the run metrics."""

    uris: list[str]
    labels: list[str]
    utilization: np.ndarray  # float32 (duration, entities)
    status: np.ndarray  # uint8 (duration, entities)
    peak_demand: np.ndarray  # float32 (entities): max load / effective capacity while up
    final_metrics: dict[str, np.ndarray]
    event_log: list[dict[str, object]]
    metrics: RunMetrics
    seed: int

    @property
    def duration(self) -> int:
        return int(self.utilization.shape[0])


def simulate(
    twin: Twin | TwinArrays,
    scenario: Scenario,
    *,
    on_step: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SimulationResult:
    """Run ``scenario`` against ``twin`` (a validated twin, or its arrays)."""
    arrays = twin if isinstance(twin, TwinArrays) else twin_arrays(twin)
    check_run_size(arrays.size, scenario.duration)
    rng = np.random.default_rng(scenario.seed)
    schedule = compile_schedule(arrays, scenario, rng)
    n, duration = arrays.size, scenario.duration
    channels = {name: np.zeros(n) for name in BASE_CHANNELS}
    channels[DOWN] += arrays.down
    channels[FAILED] += arrays.failed
    for name, values in arrays.metrics.items():
        channels[f"metric:{name}"] = values.copy()
    utilization = np.empty((duration, n), dtype=np.float32)
    status = np.empty((duration, n), dtype=np.uint8)
    peak = np.zeros(n)
    for step in range(duration):
        if should_stop is not None and should_stop():
            raise SimulationStopped(step)
        changed = _apply(channels, schedule.additions.get(step, ()), n)
        if step == 0 or changed or scenario.demand_noise > 0:
            ratio, row_util, row_status = _step_state(arrays, channels, scenario.demand_noise, rng)
            np.maximum(peak, ratio, out=peak)
        utilization[step] = row_util
        status[step] = row_status
        if on_step is not None:
            on_step(step + 1, duration)
    final = {name[len("metric:") :]: v for name, v in channels.items() if name.startswith("metric:")}
    metrics = run_metrics(arrays, utilization, status, peak)
    metrics.summary["metric_totals"] = metric_totals(arrays.metrics, final)
    return SimulationResult(
        uris=arrays.uris,
        labels=arrays.labels,
        utilization=utilization,
        status=status,
        peak_demand=peak.astype(np.float32),
        final_metrics=final,
        event_log=schedule.log,
        metrics=metrics,
        seed=scenario.seed,
    )


def _apply(
    channels: dict[str, np.ndarray], additions: Iterable[tuple[str, np.ndarray, np.ndarray]], n: int
) -> bool:
    changed = False
    for channel, indices, values in additions:
        target = channels.get(channel)
        if target is None:
            target = channels[channel] = np.zeros(n)
        np.add.at(target, indices, values)
        changed = True
    return changed


def _step_state(
    arrays: TwinArrays, channels: dict[str, np.ndarray], noise: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(load/effective capacity while up, utilization, status codes) for the current channels."""
    loss = np.clip(channels[LOSS], 0.0, 1.0)
    capacity_factor = np.exp(channels[CAP_LOG])
    # Counts are sums of +1/-1 floats; > 0.5 reads them safely as "at least one open event".
    is_failed = channels[FAILED] > 0.5
    is_down = channels[DOWN] > 0.5
    is_up = ~(is_failed | is_down)
    capacity = np.where(is_up, arrays.capacity * capacity_factor * (1.0 - loss), 0.0)
    load = arrays.base_load * np.maximum(1.0 + channels[DEMAND], 0.0) * np.exp(channels[DEMAND_LOG])
    if noise > 0:
        load = load * np.maximum(1.0 + noise * rng.standard_normal(arrays.size), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(capacity > 0, load / capacity, np.where(load > 0, np.inf, 0.0))
    ratio = np.where(is_up, ratio, 0.0)
    utilization = np.minimum(ratio, 1.0)
    is_degraded = (loss > 0) | (capacity_factor < 1.0)
    status = np.full(arrays.size, _OPERATIONAL, dtype=np.uint8)
    status[is_degraded] = _DEGRADED
    status[ratio > 1.0 + OVER_CAPACITY_TOLERANCE] = _BOTTLENECK
    status[is_down] = _UNAVAILABLE
    status[is_failed] = _FAILED
    return ratio, utilization.astype(np.float32), status
