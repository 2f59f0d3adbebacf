"""The pipelines slice: installs the pipeline job kind."""

from __future__ import annotations

from shared.pipelines.job_kind import pipeline_job_kind
from shared.slices import Platform


def install(platform: Platform) -> None:
    """Add what the pipelines slice provides to ``platform``."""
    platform.add_job_kind(pipeline_job_kind())
