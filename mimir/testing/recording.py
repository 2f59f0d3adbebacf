"""Counting step executions: a pipeline whose one step (``Utility.record``, a test plugin) appends its
token to a file each time it runs, and the count per token read back."""

from __future__ import annotations

from pathlib import Path

RECORDER_PLUGINS_DIR = Path(__file__).resolve().parent / "plugins"


def record_pipeline(path: Path, token: str, sleep: float = 0.0) -> str:
    """A one-step pipeline that appends ``token`` to ``path`` when its step starts, then sleeps."""
    step = (
        f"{{name: rec, plugin: Utility.record, config: {{token: '{token}', path: '{path}', sleep: {sleep}}}}}"
    )
    return f"name: rec-{token[:12]}\nsteps:\n  - {step}\n"


def runs_per_token(path: Path) -> dict[str, int]:
    """How many times the step of each token started, from the file the steps append to."""
    counts: dict[str, int] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        token = line.split()[0]
        counts[token] = counts.get(token, 0) + 1
    return counts
