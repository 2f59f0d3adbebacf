"""A slice that provides a plugin the pipelines slice already provides (refused)."""

from __future__ import annotations

from shared.slices import Platform


def install(platform: Platform) -> None:
    platform.add_plugins({"Utility.noop": "tests.shared.sample_slice:Echo"})
