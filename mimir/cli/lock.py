"""One ``mimir up`` per data dir: an exclusive ``flock`` on ``<data_dir>/mimir.lock``, holding its pid.

The kernel releases the lock when its holder dies however it dies, so a lock file left by a SIGKILLed run
is taken over without asking anyone to delete it; the pid in it is only there to name the holder.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

LOCK_NAME = "mimir.lock"


class DataDirInUse(click.ClickException):
    """Another ``mimir up`` holds the data dir."""


@contextmanager
def data_dir_lock(data_dir: Path) -> Iterator[int | None]:
    """Hold the data dir's lock until the block ends; yields the pid of a dead run whose lock was taken over.

    Raises :class:`DataDirInUse` naming the holder's pid when a live process holds it.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            raise DataDirInUse(
                f"the data dir {data_dir} is in use by another `mimir up` "
                f"({f'pid {holder}' if holder else 'pid unknown'}, lock {path}); stop it first, "
                "or give this one another --data-dir"
            ) from None
        previous = _read_pid(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield previous if previous and previous != os.getpid() else None
        os.ftruncate(fd, 0)  # a clean stop leaves no pid to report as stale
    finally:
        os.close(fd)  # releases the lock


def _read_pid(fd: int) -> int | None:
    text = os.pread(fd, 32, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None
