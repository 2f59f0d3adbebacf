"""The pipeline a run request names, resolved once for every view that runs pipelines (enqueue, execute)."""

from __future__ import annotations

from typing import Any

from backend.services import services
from shared.jobs.targets import RunRequest, RunTarget, resolve_run_target


def requested_target(body: dict[str, Any]) -> RunTarget:
    """The validated pipeline ``body`` (a ``RunRequestSchema`` load) names."""
    svc = services()
    return resolve_run_target(
        svc.db, svc.runtime.registry, RunRequest(**body), pipelines_dir=svc.settings.resolved_pipelines_dir
    )
