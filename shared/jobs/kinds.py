"""Job kinds: what a job runs. The job machinery (claim, lease, transitions, cancel, logs, metrics, recovery,
publish) is written once; a kind supplies only its spec, its runner and how it is shown.

A kind's runner receives a :class:`RunningJob` and returns a :class:`JobOutcome`. Pipelines are the first
kind; twin simulations, training runs, monitoring runs and workflow children are further kinds, each
installed by its slice (``platform.add_job_kind``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from shared.errors import ErrorKind, MimirError
from shared.jobs.status import JobStatus
from shared.stopping import StopSignal


class UnknownJobKind(MimirError):
    """A job names a kind no installed slice provides."""

    kind = ErrorKind.INVALID_INPUT


class RunningJob(Protocol):
    """What a kind's runner may see and do while it runs one attempt of a job."""

    @property
    def job_id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def spec(self) -> dict[str, Any]:
        """The kind-specific description of the work (a pipeline definition, a scenario and twin id...)."""
        ...

    @property
    def input(self) -> dict[str, Any]:
        """The caller's input context."""
        ...

    @property
    def attempt(self) -> int: ...

    @property
    def services(self) -> Any:
        """The process's services (database, plugins, file/HTTP environment)."""
        ...

    @property
    def stop_signal(self) -> StopSignal:
        """Set when the attempt must stop (a cancel, a lost lease, the job's time limit); code that waits
        should wait on ``stop_signal.wait(seconds)`` so it wakes at once."""
        ...

    @property
    def is_cancel_requested(self) -> bool:
        """Whether the attempt must stop (cancelled, lease lost, or over its time limit)."""
        ...

    def raise_if_cancelled(self) -> None:
        """Raise :class:`shared.errors.JobCancelled` if the job was cancelled or its lease was lost, or
        :class:`shared.stopping.TimeLimitExceeded` if it ran past its time limit."""

    def progress(
        self, fraction: float, *, current_step: str | None = None, steps: list[dict[str, Any]] | None = None
    ) -> None:
        """Note progress; written with the lease renewal (not one transaction per call)."""

    def log(self, level: str, message: str, *, step: str | None = None, is_kept: bool = False) -> None:
        """Add a line to the job's own log (``is_kept``: kept even past the per-attempt line cap)."""


@dataclass(frozen=True)
class JobOutcome:
    """How an attempt ended: a terminal status, the output, per-step records and the error if any.

    ``steps`` None keeps the records last reported through ``progress``; ``summary`` is added to the
    attempt's last log line (``run succeeded: <summary> in 1.2 ms``).

    :meth:`waiting` is the one non-terminal outcome: the job stays ``running`` but gives its worker back
    until a child job (``JobRequest.parent_job_id``) finishes, or ``wait_seconds`` pass (the sweep wakes
    it); the kind's ``run`` is then called again for a new attempt (see ARCHITECTURE.md, "Workflows")."""

    status: JobStatus
    output: dict[str, Any] | None = None
    steps: list[dict[str, Any]] | None = None
    error: str | None = None
    summary: str | None = None
    wait_seconds: float | None = None
    progress: float | None = None

    @classmethod
    def waiting(cls, wait_seconds: float, *, progress: float, summary: str | None = None) -> JobOutcome:
        """Give the worker back until a child finishes or ``wait_seconds`` pass."""
        return cls(JobStatus.RUNNING, wait_seconds=wait_seconds, progress=progress, summary=summary)

    @property
    def is_waiting(self) -> bool:
        """Whether the job waits for its children rather than ending."""
        return self.status is JobStatus.RUNNING and self.wait_seconds is not None


@dataclass(frozen=True)
class JobKind:
    """One kind of job: its name, the Celery queue its messages go to, its runner, and whether a schedule
    may target it. ``label`` names a job of this kind for lists and metrics (e.g. the pipeline's name).

    ``check_spec`` turns a client's spec into the stored one (raising :class:`shared.errors.InvalidInput`
    naming the bad field); a kind without it is not created from a raw spec (pipelines are resolved from
    their own run requests) through ``POST /api/v1/queue/jobs`` or a schedule's ``target_spec``."""

    name: str
    queue: str
    run: Callable[[RunningJob], JobOutcome]
    label: Callable[[Mapping[str, Any]], str]
    is_schedulable: bool = False
    description: str = ""
    check_spec: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None

    @property
    def is_queueable(self) -> bool:
        """Whether a client may queue a job of this kind from a raw spec (``POST /api/v1/queue/jobs``)."""
        return self.check_spec is not None


class JobKinds:
    """The installed kinds; refuses a name twice (as Dramatiq refuses an actor name twice)."""

    def __init__(self) -> None:
        self._kinds: dict[str, JobKind] = {}

    def add(self, kind: JobKind) -> None:
        """Install ``kind``; a :class:`MimirError` if its name is taken."""
        if kind.name in self._kinds:
            raise MimirError(f"job kind {kind.name!r} is installed twice")
        self._kinds[kind.name] = kind

    def get(self, name: str) -> JobKind:
        """The kind called ``name``; :class:`UnknownJobKind` naming the installed ones if none."""
        try:
            return self._kinds[name]
        except KeyError:
            known = ", ".join(sorted(self._kinds)) or "none"
            message = f"unknown job kind {name!r} (installed: {known})"
            raise UnknownJobKind(message, errors=[{"location": "kind", "message": message}]) from None

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[JobKind]:
        return iter(self._kinds.values())

    def by_name(self) -> list[JobKind]:
        """The installed kinds, by name."""
        return [self._kinds[name] for name in self.names]

    @property
    def names(self) -> list[str]:
        """The installed kinds' names, sorted."""
        return sorted(self._kinds)

    @property
    def queues(self) -> list[str]:
        """Every queue a worker must consume to run all installed kinds, in install order."""
        return list(dict.fromkeys(k.queue for k in self._kinds.values()))
