"""One thread per process renews the leases of every job the process is running, writes their progress
when a step has been running a while, and sets a job's stop signal when it is cancelled, its lease is lost
or a time limit passes.

Cancels are noticed by one query every tick for all the process's jobs that have run a tick or longer
(about 0.1 ms on SQLite), so a cancel reaches a running step within about half a second while a job
shorter than a tick costs no extra statement; the renewal every ``lease_seconds / 3`` reports it too.

A thread per job cost about 1.4 ms per job to start and join, a large share of a no-op job's overhead; and
writing progress from the job's own thread at its first step added a transaction to every short job.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.db.engine import Database
from shared.errors import JobCancelled
from shared.jobs import service
from shared.jobs.service import Lease
from shared.jobs.status import JobStatus
from shared.loops import LoopService
from shared.stopping import StopSignal

if TYPE_CHECKING:
    from shared.jobs.logs import JobLog

log = logging.getLogger(__name__)


TICK_SECONDS = 0.5


class LeaseLost(JobCancelled):
    """The lease expired and another worker may own the job now: stop without writing."""


@dataclass(frozen=True)
class Progress:
    """A running job's per-step records (None: unchanged), current step and fraction done."""

    steps: list[dict[str, Any]] | None
    current_step: str | None
    fraction: float


@dataclass
class LeaseWatch:
    """One running job: its stop signal (set on a cancel, a lost lease or a passed time limit), whether the
    lease was lost, and progress not yet written."""

    lease: Lease
    job_log: JobLog | None = None
    signal: StopSignal = field(default_factory=StopSignal)
    started_at: float = field(default_factory=time.monotonic)
    renewed_at: float = field(default_factory=time.monotonic)
    is_lost: bool = False
    unwritten: Progress | None = None


@dataclass
class LeaseRenewer:
    """Renews watched leases every ``lease_seconds / 3`` and writes unwritten progress every tick; the thread
    starts with the first watch (and again in a forked child, which does not inherit threads)."""

    db: Database
    lease_seconds: float
    # Told (job id, running) after each progress write: the API's event streams show it live.
    announce: Callable[[str, JobStatus, dict[str, Any] | None], None] | None = None
    _watches: dict[str, LeaseWatch] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _loop: LoopService | None = None
    _loop_pid: int = 0

    @property
    def interval(self) -> float:
        """Seconds between renewals."""
        return max(self.lease_seconds / 3, 0.2)

    def watch(
        self, lease: Lease, job_log: JobLog | None = None, signal: StopSignal | None = None
    ) -> LeaseWatch:
        """Start renewing ``lease`` (writing progress with the lines ``job_log`` collected meanwhile, and
        setting ``signal`` when the job must stop)."""
        if self._loop_pid != os.getpid():
            self._forget_parent()
        watch = LeaseWatch(lease, job_log, signal or StopSignal())
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
        self._notice_cancels([w for w in watches if now - w.started_at >= TICK_SECONDS])
        for watch in watches:
            watch.signal.check_limits()
            if watch.unwritten is not None:
                self._write_progress(watch)
            if now - watch.renewed_at >= self.interval:
                watch.renewed_at = now
                self._renew(watch)

    def _notice_cancels(self, watches: list[LeaseWatch]) -> None:
        running = {w.lease.job_id: w for w in watches if not w.signal.is_stopped}
        if not running:
            return
        try:
            cancelled = service.cancel_requested_among(self.db, list(running))
        except Exception:  # the renewal reports a cancel too, a little later
            log.warning("could not read cancel requests", exc_info=True)
            return
        for job_id in cancelled:
            running[job_id].signal.stop(JobCancelled("cancelled"))

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
            return
        if self.announce is not None:
            self.announce(watch.lease.job_id, JobStatus.RUNNING, None)

    def _renew(self, watch: LeaseWatch) -> None:
        try:
            state = service.renew_lease(self.db, watch.lease, self.lease_seconds)
        except Exception:  # the database may be briefly away; the lease still has time left
            log.warning("could not renew lease of job %s", watch.lease.job_id, exc_info=True)
            return
        if not state.is_held:
            watch.is_lost = True
            self.unwatch(watch)
            watch.signal.stop(LeaseLost("lease lost"))
        elif state.is_cancel_requested:
            watch.signal.stop(JobCancelled("cancelled"))
