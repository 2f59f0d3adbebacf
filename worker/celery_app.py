"""The worker's Celery app: the shared configuration plus tasks and the recovery sweeper."""

from __future__ import annotations

from celery import Celery

from shared.config import Settings
from shared.queue.celery_app import create_celery


def create_worker_app(settings: Settings) -> Celery:
    """A finalized Celery app whose workers run Mimir jobs."""
    from worker.sweeper import WorkerHousekeeping
    from worker.tasks import pipelines  # noqa: F401  (registers the tasks)

    app = create_celery(settings)
    app.conf.mimir_settings = settings
    app.steps["worker"].add(WorkerHousekeeping)
    app.finalize()
    return app
