"""The API of the jobs slice (``shared.jobs``): the queue, job logs, monitoring and live job events."""

from __future__ import annotations

from backend.api import events, job_logs, monitoring, queue

blueprints = (queue.blp, job_logs.blp, monitoring.blp, monitoring.scrape_blp, events.blp)
