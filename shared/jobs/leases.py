"""One thread per process renews the leases of every job the process is running, and writes their
progress when a step has been running a while.

A thread per job cost about 1.4 ms per job to start and join, a large share of a no-op job's overhead; and
writing progress from the job's own thread at its first step added a transaction to every short job.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.service import Lease
from shared.loops import LoopService

if TYPE_CHECKING:
    from shared.jobs.logs import JobLog

log = logging.getLogger(__name__)


TICK_SECONDS = 0.5


@dataclass(frozen=True)
class Progress:
    """A running job's per-step records (None: unchanged), current step and fraction done."""

    steps: list[dict[str, Any]] | None
    current_step: str | None
    fraction: float


@dataclass
class LeaseWatch:
    """One running job: what renewals found (lease lost, cancellation asked) and progress not yet written."""

    lease: Lease
    job_log: JobLog | None = None
    renewed_at: float = field(default_factory=time.monotonic)
    is_lost: bool = False
    is_cancel_requested: bool = False
    unwritten: Progress | None = None


@dataclass
class LeaseRenewer:
    """Renews watched leases every ``lease_seconds / 3`` and writes unwritten progress every tick; the thread
    starts with the first watch (and again in a forked child, which does not inherit threads)."""

    db: Database
    lease_seconds: float
    _watches: dict[str, LeaseWatch] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: LoopService | None = None
    _loop_pid: int = 0

    @property
    def interval(self) -> float:
        """Seconds between renewals."""
        return max(self.lease_seconds / 3, 0.2)

    def watch(self, lease: Lease, job_log: JobLog | None = None) -> LeaseWatch:
        """Start renewing ``lease`` (writing progress with the lines ``job_log`` collected meanwhile)."""
        if self._loop_pid != os.getpid():
            self._forget_parent()
        watch = LeaseWatch(lease, job_log)
        with self._lock:
            self._watches[lease.job_id] = watch
            if self._loop is None or not self._loop.is_running:
                self._loop = LoopService("lease-renewer", min(TICK_SECONDS, self.interval), self._tick)
                self._loop.start()
        return watch

    def _forget_parent(self) -> None:
        # A forked child inherits the parent's watches and lock state but not its thread.
        self._lock = threading.Lock()
        self._watches = {}
        self._loop = None
        self._loop_pid = os.getpid()

    def unwatch(self, watch: LeaseWatch) -> None:
        """Stop renewing (the job finished or gave up)."""
        with self._lock:
            if self._watches.get(watch.lease.job_id) is watch:
                del self._watches[watch.lease.job_id]

    def _tick(self) -> None:
        with self._lock:
            watches = list(self._watches.values())
        now = time.monotonic()
        for watch in watches:
            if watch.unwritten is not None:
                self._write_progress(watch)
            if now - watch.renewed_at >= self.interval:
                watch.renewed_at = now
                self._renew(watch)

    def _write_progress(self, watch: LeaseWatch) -> None:
        progress, watch.unwritten = watch.unwritten, None
        if progress is None:
            return
        try:
            service.record_progress(
                self.db,
                watch.lease,
                steps=progress.steps,
                current_step=progress.current_step,
                progress=progress.fraction,
                logs=watch.job_log.take() if watch.job_log else (),
            )
        except Exception:  # progress is advisory; the result is written by the job itself
            log.warning("could not record progress of job %s", watch.lease.job_id, exc_info=True)

    def _renew(self, watch: LeaseWatch) -> None:
        try:
            state = service.renew_lease(self.db, watch.lease, self.lease_seconds)
        except Exception:  # the database may be briefly away; the lease still has time left
            log.warning("could not renew lease of job %s", watch.lease.job_id, exc_info=True)
            return
        watch.is_cancel_requested = state.is_cancel_requested
        if not state.is_held:
            watch.is_lost = True
            self.unwatch(watch)
