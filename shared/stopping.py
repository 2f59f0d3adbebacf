"""A running job's stop signal: one object a run's code can wait on instead of sleeping, set when the job is
cancelled, its lease is lost, or a time limit (the step's or the job's) passes.

Code that waits (a sleep, an HTTP read) waits on the signal and wakes at once; code that cannot be
interrupted finishes, and the engine checks the signal before the next step. Time limits need no timer
thread: waits and checks compare the clock with the limit, and the lease renewer calls :meth:`check_limits`
every tick so a limit also wakes code that only waits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from shared.errors import MimirError


class TimeLimitExceeded(MimirError):
    """A step or a job ran past its time limit; the message names the limit and the setting."""


@dataclass(frozen=True)
class _Limit:
    ends_at: float  # time.monotonic()
    message: str


class StopSignal:
    """Set once, with the reason to raise: a :class:`shared.errors.JobCancelled` or a
    :class:`TimeLimitExceeded`. Thread-safe; the renewer thread sets it, the run's thread waits on it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._reason: MimirError | None = None
        self._job_limit: _Limit | None = None
        self._step_limit: _Limit | None = None
        self._callbacks: list[Callable[[], None]] = []

    @property
    def reason(self) -> MimirError | None:
        """Why the run must stop (None: it need not)."""
        self.check_limits()
        return self._reason

    @property
    def is_stopped(self) -> bool:
        """Whether the run must stop."""
        return self.reason is not None

    def raise_if_stopped(self) -> None:
        """Raise the reason to stop, if there is one."""
        reason = self.reason
        if reason is not None:
            raise reason

    def stop(self, reason: MimirError) -> None:
        """Ask the run to stop for ``reason`` (the first reason given wins)."""
        with self._lock:
            if self._reason is not None:
                return
            self._reason = reason
            callbacks, self._callbacks = self._callbacks, []
        self._event.set()
        for callback in callbacks:
            callback()

    def on_stop(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` (from the stopping thread) when the signal is set, at once if it is; returns a
        function that forgets the callback."""
        with self._lock:
            is_set = self._reason is not None
            if not is_set:
                self._callbacks.append(callback)
        if is_set:
            callback()

        def forget() -> None:
            with self._lock:
                if callback in self._callbacks:
                    self._callbacks.remove(callback)

        return forget

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds``, returning early (True) when the signal is set or a limit passes."""
        ends_at = time.monotonic() + seconds
        while not self.is_stopped:
            now = time.monotonic()
            if now >= ends_at:
                return False
            limit = self.remaining()
            self._event.wait(min(ends_at - now, limit if limit is not None else ends_at - now))
        return True

    def remaining(self) -> float | None:
        """Seconds until the nearest time limit (None: no limit), never below zero."""
        limits = [limit.ends_at for limit in (self._job_limit, self._step_limit) if limit is not None]
        return max(min(limits) - time.monotonic(), 0.0) if limits else None

    def limit_job(self, seconds: float | None, setting: str) -> None:
        """Stop the run ``seconds`` from now (None: no limit), saying which ``setting`` set it."""
        if seconds is not None:
            message = f"the job ran longer than its limit of {seconds:g}s ({setting})"
            self._job_limit = _Limit(time.monotonic() + seconds, message)

    @contextmanager
    def limit_step(self, seconds: float | None, setting: str) -> Iterator[None]:
        """Within the block, stop the run ``seconds`` after it starts (None: no step limit)."""
        if seconds is None:
            yield
            return
        message = f"the step ran longer than its limit of {seconds:g}s ({setting})"
        self._step_limit = _Limit(time.monotonic() + seconds, message)
        try:
            yield
        finally:
            self.check_limits()  # a step that overran but could not be interrupted still counts
            self._step_limit = None

    def check_limits(self) -> None:
        """Set the signal if a time limit has passed."""
        if self._reason is not None:
            return
        now = time.monotonic()
        for limit in (self._step_limit, self._job_limit):
            if limit is not None and now >= limit.ends_at:
                self.stop(TimeLimitExceeded(limit.message))
                return
