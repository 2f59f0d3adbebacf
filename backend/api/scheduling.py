"""The API of the scheduling slice (``shared.scheduling``): cron schedules."""

from __future__ import annotations

from backend.api import scheduler

blueprints = (scheduler.blp,)
