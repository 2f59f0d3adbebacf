"""CPU time per process, from ``/proc/<pid>/stat`` (user + system), to say where a job's CPU goes.

A benchmark names groups of processes ("API", "worker main", "pool", "load generator"...), each found by
a root pid and whether its descendants count; :class:`CpuMeter` snapshots every group before and after a
run and gives the CPU milliseconds each spent per job. Processes that start during the run count from zero;
processes that exit during the run are lost (none of ours do).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcessGroup:
    """Processes to count under one name: the process ``root`` itself and/or its descendants."""

    name: str
    root: Callable[[], int | None]
    includes_root: bool = True
    includes_descendants: bool = True


def _stat_fields(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: fields start after the last ')'.
    return text[text.rindex(")") + 2 :].split()


def _cpu_ticks(pid: int) -> int:
    fields = _stat_fields(pid)
    if fields is None:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of proc(5))


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        fields = _stat_fields(int(entry))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry))
    return children


def _descendants(pid: int, children: dict[int, list[int]]) -> list[int]:
    found: list[int] = []
    pending = list(children.get(pid, ()))
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children.get(child, ()))
    return found


def _pids(group: ProcessGroup, children: dict[int, list[int]]) -> list[int]:
    root = group.root()
    if root is None:
        return []
    pids = [root] if group.includes_root else []
    if group.includes_descendants:
        pids += _descendants(root, children)
    return pids


def snapshot(groups: list[ProcessGroup]) -> dict[str, dict[int, int]]:
    """CPU ticks of each process of each group, now."""
    children = _children_by_parent()
    return {g.name: {pid: _cpu_ticks(pid) for pid in _pids(g, children)} for g in groups}


@dataclass
class CpuMeter:
    """CPU spent by each group between :meth:`start` and :meth:`stop`."""

    groups: list[ProcessGroup]
    _before: dict[str, dict[int, int]] | None = None

    def start(self) -> None:
        self._before = snapshot(self.groups)

    def stop(self, jobs: int) -> dict[str, float]:
        """CPU milliseconds per job of each group (and ``total``) since :meth:`start`."""
        assert self._before is not None, "start() first"
        after = snapshot(self.groups)
        per_job: dict[str, float] = {}
        for name, pids in after.items():
            before = self._before.get(name, {})
            ticks = sum(max(t - before.get(pid, 0), 0) for pid, t in pids.items())
            per_job[name] = ticks / _TICKS_PER_SECOND * 1000 / max(jobs, 1)
        per_job["total"] = sum(per_job.values())
        return per_job


def this_process() -> int:
    """The benchmark's own pid (the load generator)."""
    return os.getpid()
