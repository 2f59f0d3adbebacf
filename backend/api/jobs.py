"""The API of the jobs slice (``shared.jobs``): the queue, job logs and monitoring."""

from __future__ import annotations

from backend.api import job_logs, monitoring, queue

blueprints = (queue.blp, job_logs.blp, monitoring.blp, monitoring.scrape_blp)
