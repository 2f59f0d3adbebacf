"""The pipelines slice: what it adds to the platform."""

from __future__ import annotations

from shared.slices import Platform


def install(platform: Platform) -> None:
    """Install the pipelines slice."""
