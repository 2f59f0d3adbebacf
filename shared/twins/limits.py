"""The documented caps on twins and runs, checked before any work (a refusal names the cap)."""

from __future__ import annotations

from shared.errors import PayloadTooLarge

MAX_ENTITIES = 200_000
MAX_RELATIONSHIPS = 1_000_000
MAX_DURATION = 10_000  # steps in one scenario
MAX_EVENTS = 10_000  # events in one scenario
MAX_PROPAGATION_DEPTH = 10
# A run's timeline holds duration x entities cells (5 bytes each in memory: float32 + status byte); this
# bounds a run's memory to about 250 MB whatever the mix (100,000 entities x 500 steps, 10,000 x 5,000).
MAX_TIMELINE_CELLS = 50_000_000


def check_run_size(entities: int, duration: int) -> None:
    """Refuse a run whose timeline would exceed :data:`MAX_TIMELINE_CELLS`."""
    cells = entities * duration
    if cells > MAX_TIMELINE_CELLS:
        raise PayloadTooLarge(
            f"scenario.duration: {duration} steps x {entities} entities = {cells:,} timeline cells, over the "
            f"cap of {MAX_TIMELINE_CELLS:,}; shorten the scenario or split the twin"
        )
