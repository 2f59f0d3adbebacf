"""Step overhead: 40 sequential fib(10) steps and 10 fib(33) steps, against the pure computation.

    python -m bench.step_overhead [--smoke]

Runs the pipelines with the engine the workers use (validation of every step's config against its
plugin's schema, ``{{ }}`` rendering, per-step records and observer callbacks), in this process, so the
figure is the engine's cost per step, not the queue's (see ``bench.overhead`` for that).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from bench.common import write_results
from shared.pipelines.engine import run_pipeline
from shared.pipelines.model import PipelineDefinition
from shared.plugins.builtin.utility import _fib
from shared.plugins.registry import PluginRegistry


def _pipeline(steps: int, n: int) -> PipelineDefinition:
    return PipelineDefinition.from_dict(
        {
            "name": f"fib-{steps}x{n}",
            "steps": [
                {"name": f"s{i}", "plugin": "Utility.fib", "config": {"n": n}, "output": f"r{i}"}
                for i in range(steps)
            ],
        }
    )


def _best_of(repeats: int, run: Any) -> float:
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(steps: int, n: int, repeats: int) -> dict[str, float]:
    """Total time of the pipeline, of the bare computation, and the overhead per step (seconds)."""
    registry = PluginRegistry.default(include_entry_points=False)
    definition = _pipeline(steps, n)
    run_pipeline(definition, registry)  # warm: plugin import, schema compilation
    pipeline = _best_of(repeats, lambda: run_pipeline(definition, registry))
    bare = _best_of(repeats, lambda: [_fib(n) for _ in range(steps)])
    return {
        "steps": steps,
        "n": n,
        "pipeline_seconds": pipeline,
        "computation_seconds": bare,
        "overhead_per_step_ms": (pipeline - bare) / steps * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny run for CI: fib(25) instead of fib(33)")
    args = parser.parse_args()
    light = measure(40, 10, repeats=3 if args.smoke else 20)
    heavy = measure(10, 25 if args.smoke else 33, repeats=1 if args.smoke else 3)
    table = [
        ("40 x fib(10): pipeline", f"{light['pipeline_seconds'] * 1000:.2f} ms"),
        ("40 x fib(10): computation", f"{light['computation_seconds'] * 1000:.2f} ms"),
        ("40 x fib(10): overhead per step", f"{light['overhead_per_step_ms']:.3f} ms (target < 1 ms)"),
        (f"10 x fib({heavy['n']}): pipeline", f"{heavy['pipeline_seconds']:.3f} s"),
        (f"10 x fib({heavy['n']}): computation", f"{heavy['computation_seconds']:.3f} s"),
        (f"10 x fib({heavy['n']}): overhead per step", f"{heavy['overhead_per_step_ms']:.3f} ms"),
    ]
    write_results("step_overhead", {"light": light, "heavy": heavy}, table, args.smoke)


if __name__ == "__main__":
    main()
