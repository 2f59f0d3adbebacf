"""The pipeline a run request names, resolved once for every view that runs pipelines (enqueue, execute)."""

from __future__ import annotations

from typing import Any

from backend.services import services
from shared.jobs.targets import RunRequest, RunTarget, resolve_batch_target, resolve_run_target


def requested_target(body: dict[str, Any]) -> RunTarget:
    """The validated pipeline ``body`` (a ``RunRequestSchema`` load) names."""
    svc = services()
    return resolve_run_target(
        svc.db, svc.runtime.registry, RunRequest(**body), pipelines_dir=svc.settings.resolved_pipelines_dir
    )


def requested_batch_target(body: dict[str, Any]) -> RunTarget:
    """The validated pipeline ``body`` (an ``EnqueueBatchSchema`` load) names, checked for each context."""
    svc = services()
    references = {k: v for k, v in body.items() if k != "contexts"}
    return resolve_batch_target(
        svc.db,
        svc.runtime.registry,
        RunRequest(**references),
        body["contexts"],
        pipelines_dir=svc.settings.resolved_pipelines_dir,
    )
