"""The worker's Celery app: the shared configuration plus tasks and the recovery sweeper."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_process_shutdown

from shared.config import Settings
from shared.queue.celery_app import create_celery
from shared.slices import Platform, load_platform


def create_worker_app(settings: Settings, platform: Platform | None = None) -> Celery:
    """A finalized Celery app whose workers run Mimir jobs of ``platform``'s kinds (default: the listed
    slices, then ``settings.extra_slices``). The worker's main process (its housekeeping) and its pool
    processes (their services) all use this one platform."""
    from worker.sweeper import WorkerHousekeeping
    from worker.tasks import jobs  # noqa: F401  (registers the tasks)

    app = create_celery(settings)
    app.conf.mimir_settings = settings
    app.conf.mimir_platform = platform or load_platform(settings.extra_slices)
    app.steps["worker"].add(WorkerHousekeeping)
    if settings.metrics_enabled:
        worker_process_shutdown.connect(_forget_pool_process(settings.resolved_metrics_dir), weak=False)
    app.finalize()
    return app


def _forget_pool_process(metrics_dir: Path) -> Callable[..., None]:
    """A ``worker_process_shutdown`` handler: the exiting pool process's live metrics are dropped."""

    def forget(**_: Any) -> None:
        from shared.observability.metrics import mark_process_dead

        mark_process_dead(os.getpid(), metrics_dir)

    return forget
