"""Handing job ids to the broker, after the job row is committed."""

from __future__ import annotations

import logging

from celery import Celery
from kombu.exceptions import OperationalError

from shared.queue.celery_app import RUN_JOB

log = logging.getLogger(__name__)

PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0.0, "interval_step": 0.2, "interval_max": 0.5}


def publish_job(celery: Celery, job_id: str, queue: str) -> bool:
    """Send the job's message to ``queue`` (its kind's); True if the broker took it. A False job stays
    queued for the sweep."""
    try:
        celery.send_task(
            RUN_JOB,
            args=[job_id],
            queue=queue,
            task_id=job_id,
            retry=True,
            retry_policy=PUBLISH_RETRY_POLICY,
        )
    except (OperationalError, OSError) as exc:
        log.warning("broker did not take job %s (%s); the recovery sweep will publish it", job_id, exc)
        return False
    return True
