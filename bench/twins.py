"""Twin simulation speed and timeline size on generated twins.

    python -m bench.twins [--smoke] [--repeats N]

Two generated twins: 10,000 entities / 30,000 relationships and 100,000 / 300,000 (random endpoints,
types depends_on / supplies / manages, strengths 0.2..1, capacities 50..150, utilizations 0.3..0.9), each
run for 100 steps with 50 events (the propagating event types, random targets and steps, propagation
depth 3 along every relationship type). Figures, best of ``--repeats``, in this process on one core (the
engine's NumPy/SciPy operations are single-threaded), as CPU time of this process (the one-core figure on
a shared machine) and wall time:
- ``simulate_cpu_seconds``: ``simulate(twin, scenario)`` from the twin's dataclasses, i.e. building the arrays
  and sparse matrices, compiling the schedule (propagation), the steps and the run metrics;
- ``arrays_cpu_seconds`` / ``steps_cpu_seconds``: the arrays, and the rest (schedule, steps, metrics);
- ``timeline_bytes`` (the stored blob) against ``timeline_raw_bytes`` (float32 + status byte per cell),
  and the time to encode it.
Targets (issue 14): under 0.5 s for 10,000 entities, under 5 s for 100,000.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np

from bench.common import write_results
from shared.twins.arrays import twin_arrays
from shared.twins.engine import simulate
from shared.twins.model import Entity, EntityState, Event, Impact, Propagation, Relationship, Scenario, Twin
from shared.twins.timeline import encode_timeline

RELATIONSHIP_TYPES = ("depends_on", "supplies", "manages")
ENTITY_TYPES = ("team", "machine", "supplier", "site", "process")
EVENT_MIX: tuple[tuple[str, dict[str, Any]], ...] = (
    ("supply_disruption", {}),
    ("resource_unavailable", {}),
    ("process_failure", {}),
    ("demand_surge", {"increase": 0.4}),
    ("capacity_change", {"factor": 0.6}),
    ("metric_shock", {"metric": "cost", "delta": 5.0}),
)
TARGETS = {10_000: 0.5, 100_000: 5.0}


def generated_twin(entities: int, relationships: int, seed: int = 1) -> Twin:
    """A random twin of the given size (same seed, same twin)."""
    rng = np.random.default_rng(seed)
    capacity = rng.uniform(50, 150, entities)
    utilization = rng.uniform(0.3, 0.9, entities)
    kinds = rng.integers(0, len(ENTITY_TYPES), entities)
    nodes = [
        Entity(
            uri=f"urn:e:{i}",
            type=ENTITY_TYPES[kinds[i]],
            label=f"entity {i}",
            state=EntityState(capacity=float(capacity[i]), utilization=float(utilization[i])),
        )
        for i in range(entities)
    ]
    sources = rng.integers(0, entities, relationships)
    offsets = rng.integers(1, entities, relationships)  # never a self-loop
    targets = (sources + offsets) % entities
    rel_types = rng.integers(0, len(RELATIONSHIP_TYPES), relationships)
    strengths = rng.uniform(0.2, 1.0, relationships)
    edges = [
        Relationship(f"urn:e:{s}", f"urn:e:{t}", RELATIONSHIP_TYPES[k], float(w))
        for s, t, k, w in zip(sources, targets, rel_types, strengths, strict=True)
    ]
    return Twin(name=f"generated-{entities}", entities=nodes, relationships=edges)


def generated_scenario(entities: int, steps: int, events: int, depth: int, seed: int = 2) -> Scenario:
    """``events`` random propagating events over ``steps`` steps."""
    rng = np.random.default_rng(seed)
    chosen = []
    for _ in range(events):
        kind, parameters = EVENT_MIX[int(rng.integers(0, len(EVENT_MIX)))]
        chosen.append(
            Event(
                type=kind,
                step=int(rng.integers(0, steps)),
                target_uri=f"urn:e:{int(rng.integers(0, entities))}",
                parameters=dict(parameters),
                impact=Impact(
                    severity=float(rng.uniform(0.2, 0.9)),
                    propagation=Propagation(
                        impact_multiplier=0.6, delay=int(rng.integers(0, 3)), max_depth=depth
                    ),
                ),
                duration=int(rng.integers(5, 30)) if rng.random() < 0.5 else None,
            )
        )
    return Scenario(name="bench", duration=steps, events=tuple(chosen), seed=3)


def _timed(run: Any, repeats: int) -> tuple[float, float, Any]:
    """Best wall and best CPU seconds of ``repeats`` calls, and the last result. The CPU time (this
    process only) is the one-core figure on a shared machine, where wall time includes waiting for a core."""
    wall = cpu = float("inf")
    result = None
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        result = run()
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, result


def measure(
    entities: int, relationships: int, steps: int, events: int, depth: int, repeats: int
) -> dict[str, Any]:
    """The figures for one size."""
    started = time.perf_counter()
    twin = generated_twin(entities, relationships)
    generate_seconds = time.perf_counter() - started
    scenario = generated_scenario(entities, steps, events, depth)
    simulate_wall, simulate_cpu, result = _timed(lambda: simulate(twin, scenario), repeats)
    arrays_wall, arrays_cpu, arrays = _timed(lambda: twin_arrays(twin), repeats)
    steps_wall, steps_cpu, _ = _timed(lambda: simulate(twin_arrays(twin), scenario), repeats)
    steps_wall, steps_cpu = steps_wall - arrays_wall, steps_cpu - arrays_cpu
    encode_wall, _, blob = _timed(lambda: encode_timeline(result), 1)
    summary = result.metrics.summary
    return {
        "entities": entities,
        "relationships": relationships,
        "steps": steps,
        "events": events,
        "propagation_depth": depth,
        "repeats": repeats,
        "generate_seconds": round(generate_seconds, 3),
        "simulate_cpu_seconds": round(simulate_cpu, 4),
        "simulate_wall_seconds": round(simulate_wall, 4),
        "arrays_cpu_seconds": round(arrays_cpu, 4),
        "steps_cpu_seconds": round(steps_cpu, 4),
        "target_seconds": TARGETS.get(entities),
        "timeline_bytes": len(blob),
        "timeline_raw_bytes": int(result.utilization.nbytes + result.status.nbytes),
        "timeline_encode_seconds": round(encode_wall, 3),
        "bottleneck_count": summary["bottleneck_count"],
        "stability_score": summary["stability_score"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--smoke", action="store_true", help="tiny twins for CI")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = (
        [(200, 600, 10, 5, 3, 1)]
        if args.smoke
        else [
            (10_000, 30_000, 100, 50, 3, args.repeats),
            (100_000, 300_000, 100, 50, 3, max(1, args.repeats - 1)),
        ]
    )
    runs = [measure(*size) for size in sizes]
    table = []
    for run in runs:
        size = f"{run['entities']:,} / {run['relationships']:,}"
        target = f" (target < {run['target_seconds']} s)" if run["target_seconds"] else ""
        table += [
            (
                f"{size}: simulate, {run['steps']} steps, {run['events']} events, CPU (wall)",
                f"{run['simulate_cpu_seconds']} s ({run['simulate_wall_seconds']} s){target}",
            ),
            (f"{size}: of which arrays + sparse matrices, CPU", f"{run['arrays_cpu_seconds']} s"),
            (f"{size}: of which schedule, steps, metrics, CPU", f"{run['steps_cpu_seconds']} s"),
            (
                f"{size}: timeline stored / raw",
                f"{run['timeline_bytes']:,} B / {run['timeline_raw_bytes']:,} B "
                f"(encoded in {run['timeline_encode_seconds']} s)",
            ),
        ]
    write_results("twins", {"runs": runs}, table, args.smoke)


if __name__ == "__main__":
    main()
