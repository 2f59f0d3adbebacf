"""Processes that do not outlive the process that started them.

On Linux a child asks the kernel for a signal when its parent dies (``prctl(PR_SET_PDEATHSIG)``), set
between fork and exec, so a SIGKILLed or OOM-killed ``mimir up`` takes its Redis, API, beat and workers
with it, and a dying gunicorn master or Celery worker takes its own forked workers. Elsewhere nothing is
set and the supervisor's process group is the only bond.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """Have this (forked) process receive ``sig`` when its parent dies."""
    if sys.platform.startswith("linux"):
        _prctl()(_PR_SET_PDEATHSIG, sig, 0, 0, 0)


def die_with_this_process(sig: int = signal.SIGKILL) -> Callable[[], None] | None:
    """A ``preexec_fn`` for :class:`subprocess.Popen`: the child gets ``sig`` when the calling process dies.

    The kernel sends it when the *thread* that forked the child ends, so call Popen from the main thread.
    """
    if not sys.platform.startswith("linux"):
        return None
    parent = os.getpid()
    prctl = _prctl()  # loaded here: after fork only async-signal-safe work should run

    def set_in_child() -> None:
        prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
        if os.getppid() != parent:
            os.kill(os.getpid(), sig)

    return set_in_child


def _prctl() -> Callable[..., int]:
    libc = ctypes.CDLL(None, use_errno=True)
    prctl: Callable[..., int] = libc.prctl
    return prctl
