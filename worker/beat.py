"""Celery beat with our scheduler: schedules come from the database, one leader fires them.

``mimir beat`` runs ``app.Beat(scheduler=DatabaseScheduler)``. Every beat process calls :meth:`tick` in a
loop; only the holder of the Redis leader lease fires due schedules and runs upkeep. The others retry the
lease every tick and take over within the lease time after the holder dies. Schedules are re-read from the
database on every tick, so API changes apply within one tick, without a restart.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from datetime import timedelta
from math import inf
from typing import Any

from celery.beat import Scheduler

from shared.config import Settings
from shared.db.base import utcnow
from shared.jobs.kinds import UnknownJobKind
from shared.queue.dispatch import publish_job
from shared.scheduling.firing import FirePolicy, fire_due_schedules, seconds_until_next_due
from shared.scheduling.leader import LeaderLease
from shared.scheduling.upkeep import Upkeep
from shared.services import Services

log = logging.getLogger(__name__)


class DatabaseScheduler(Scheduler):
    """A beat scheduler reading the ``schedules`` table; fires only while holding the leader lease."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._ready = False
        super().__init__(*args, **kwargs)

    def setup_schedule(self) -> None:
        # The services `mimir beat` built: this process's one platform, database and Redis client.
        services: Services = self.app.conf.mimir_services
        settings: Settings = services.settings
        self.settings = settings
        self.db = services.db
        self.kinds = services.platform.job_kinds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lease = LeaderLease(services.redis, self.owner, settings.scheduler_lease_seconds)
        self.policy = FirePolicy(
            misfire_grace=timedelta(seconds=settings.scheduler_misfire_grace_seconds),
            max_catchup=settings.scheduler_max_catchup,
        )
        backup_interval = settings.backup_interval_hours * 3600 if settings.backups_enabled else inf
        self.upkeep = Upkeep(
            db=self.db,
            retention_days=settings.retention_days,
            backups_dir=settings.backups_dir,
            backups_keep=settings.backups_keep,
            backup_interval_seconds=backup_interval,
            checkpoint_interval_seconds=settings.checkpoint_interval_seconds,
        )
        self._ready = True
        if not settings.scheduler_enabled:
            log.warning("scheduler.enabled is false: schedules are not fired (upkeep still runs)")
        log.info(
            "beat %s started (tick %.2fs, lease %.1fs)",
            self.owner,
            self.tick_seconds,
            settings.scheduler_lease_seconds,
        )

    @property
    def tick_seconds(self) -> float:
        return float(self.settings.scheduler_tick_seconds)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        """One round: hold the lease, fire what is due, run upkeep; seconds until the next round."""
        if not self._ready:
            return self.tick_seconds
        if not self.lease.hold():
            return self.tick_seconds
        try:
            now = utcnow()
            due = (
                fire_due_schedules(self.db, self.policy, now, self.kinds)
                if self.settings.scheduler_enabled
                else []
            )
            for fired in due:
                if fired.job_id is not None:
                    self._publish(fired.job_id, fired.kind)
                    log.info("schedule %s slot %s: job %s", fired.schedule_id, fired.slot, fired.job_id)
            self.upkeep.run_due()
            wait = seconds_until_next_due(self.db, utcnow()) if self.settings.scheduler_enabled else None
        except Exception:
            log.exception("beat tick failed; retrying")
            return self.tick_seconds
        return self.tick_seconds if wait is None else min(max(wait, 0.01), self.tick_seconds)

    def _publish(self, job_id: str, kind_name: str) -> None:
        # A job the broker did not take stays queued in the database; the sweep re-sends it.
        try:
            publish_job(self.app, job_id, self.kinds.get(kind_name).queue)
        except UnknownJobKind:  # cannot happen: firing skips kinds that are not installed
            log.warning("job %s is of kind %r, which is not installed", job_id, kind_name)

    def sync(self) -> None:
        """Nothing to write: the database is the schedule's store."""

    def close(self) -> None:
        if self._ready:
            self.lease.release()  # the connections close with the services, when `mimir beat` ends
        super().close()

    @property
    def info(self) -> str:
        from shared.scheduling.leader import LEADER_KEY

        return f"    . schedules from the database; one leader fires (lease key {LEADER_KEY})"
