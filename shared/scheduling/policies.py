"""What a schedule does with slots it missed and with runs that would overlap."""

from __future__ import annotations

from enum import StrEnum


class CatchUp(StrEnum):
    """Slots missed while no beat was running (older than the misfire grace) are ..."""

    NONE = "none"  # ... dropped; the schedule resumes at its next slot
    LAST = "last"  # ... collapsed into one run, for the latest of them
    ALL = "all"  # ... each run, oldest first, within the catch-up window (at most max_catchup)


class Overlap(StrEnum):
    """When a slot comes while the previous run of the same schedule is still queued or running ..."""

    ALLOW = "allow"  # ... it runs anyway
    SKIP = "skip"  # ... it is recorded as skipped
    QUEUE = "queue"  # ... it waits and runs once the previous run ends (slots meanwhile coalesce into it)
