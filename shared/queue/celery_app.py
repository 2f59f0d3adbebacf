"""The Celery app factory with the house policy: JSON only, late ack, requeue when a worker dies."""

from __future__ import annotations

from celery import Celery

from shared.config import Settings
from shared.queue.redis_transport import TRANSPORT

PIPELINE_QUEUE = "mimir.pipelines"
# One task runs a job of any kind; its message goes to the kind's queue (publish_job).
RUN_JOB = "mimir.jobs.run_job"
# The task's name before job kinds: still registered, so messages already in Redis at an upgrade still run.
RUN_PIPELINE_JOB = "mimir.jobs.run_pipeline_job"


def create_celery(settings: Settings, *, name: str = "mimir") -> Celery:
    """A configured Celery app (not set as current; nothing connects until it is used)."""
    app = Celery(name, set_as_current=False, autofinalize=False)
    app.conf.update(
        broker_url=settings.resolved_redis_url,
        broker_transport=TRANSPORT,  # kombu's Redis transport, surviving a Redis restart (see the module)
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            # A message held by a worker that died comes back after this long. Long jobs are protected by
            # their database lease, not by this timeout: a redelivered message for a leased job is dropped.
            "visibility_timeout": settings.visibility_timeout_seconds,
        },
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_default_queue=PIPELINE_QUEUE,
        task_routes={RUN_PIPELINE_JOB: {"queue": PIPELINE_QUEUE}},
        worker_send_task_events=settings.celery_events,  # Flower enables them remotely when it connects
        task_send_sent_event=settings.celery_events,
        worker_hijack_root_logger=False,
        enable_utc=True,
    )
    return app
