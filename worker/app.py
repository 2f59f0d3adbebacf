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


def create_worker_app(settings: Settings) -> Celery:
    """A finalized Celery app whose workers run Mimir jobs."""
    from worker.sweeper import WorkerHousekeeping
    from worker.tasks import jobs  # noqa: F401  (registers the tasks)

    app = create_celery(settings)
    app.conf.mimir_settings = settings
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
