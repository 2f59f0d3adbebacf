"""What every benchmark shares: percentiles, the machine description, and writing results."""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], q: float) -> float:
    """The ``q`` percentile (0..100) by linear interpolation; NaN for no values."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=1000, method="inclusive")[max(int(q * 10) - 1, 0)]


def machine() -> dict[str, Any]:
    """The machine the figures came from."""
    memory = None
    try:
        with open("/proc/meminfo") as handle:
            memory = int(handle.readline().split()[1]) // 1024
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_mib": memory,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
    }


def write_results(name: str, results: dict[str, Any], table: list[tuple[str, str]], smoke: bool) -> Path:
    """``results/<name>.json`` and ``results/<name>.md`` (``-smoke`` suffixed for smoke runs)."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stem = f"{name}-smoke" if smoke else name
    document = {"benchmark": name, "ran_at": datetime.now(UTC).isoformat(), "machine": machine(), **results}
    json_path = RESULTS_DIR / f"{stem}.json"
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    lines = [
        f"# {name}",
        "",
        f"Ran {document['ran_at']} on {document['machine']}",
        "",
        "| figure | value |",
        "| --- | --- |",
    ]
    lines += [f"| {k} | {v} |" for k, v in table]
    (RESULTS_DIR / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return json_path
