"""Background loops with one shape (as Prefect's ``LoopService``): a daemon thread that calls
:meth:`LoopService.run_once` every ``interval`` seconds until :meth:`LoopService.stop`, with a start and a
stop hook, and an error in one round logged and retried at the next round instead of killing the thread.

Used by the worker's housekeeping (heartbeat and recovery sweep) and the lease renewer. The API's job
waiter is not one: it holds a Redis subscription open and blocks on it, with its own reconnect backoff.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


class LoopService:
    """Runs :meth:`run_once` every ``interval`` seconds in a daemon thread.

    Subclass and override :meth:`run_once` (and :meth:`on_start`/:meth:`on_stop`), or pass ``step``. A round
    may return the seconds to wait before the next one (None: ``interval``)."""

    def __init__(self, name: str, interval: float, step: Callable[[], float | None] | None = None) -> None:
        if interval <= 0:
            raise ValueError(f"loop {name!r}: interval must be greater than 0, got {interval}")
        self.name = name
        self.interval = interval
        self._step = step
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_running(self) -> bool:
        """Whether the loop's thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; a second call while it runs does nothing)."""
        if self.is_running:
            return
        self._stopped.clear()
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to stop after its current round and wait up to ``timeout`` seconds for it."""
        self._stopped.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=timeout)

    @property
    def is_stopping(self) -> bool:
        """Whether :meth:`stop` was called (a long round may check it to end early)."""
        return self._stopped.is_set()

    def on_start(self) -> None:
        """Called in the loop's thread before the first round (open connections here)."""

    def run_once(self) -> float | None:
        """One round; the seconds until the next one, or None for ``interval``."""
        if self._step is None:
            raise NotImplementedError(f"loop {self.name!r} has neither run_once nor step")
        return self._step()

    def on_stop(self) -> None:
        """Called in the loop's thread after the last round (close connections here)."""

    def _run(self) -> None:
        try:
            self.on_start()
        except Exception:
            log.exception("loop %s could not start", self.name)
            return
        try:
            wait = self.interval
            while not self._stopped.wait(wait):
                wait = self._round()
        finally:
            try:
                self.on_stop()
            except Exception:
                log.warning("loop %s did not stop cleanly", self.name, exc_info=True)

    def _round(self) -> float:
        try:
            wait = self.run_once()
        except Exception:  # a database or broker outage must not end the loop
            log.warning("loop %s failed; will try again in %.1fs", self.name, self.interval, exc_info=True)
            return self.interval
        return self.interval if wait is None else max(wait, 0.0)
