"""A tiny job kind defined in one test module: ``echo`` sleeps ``spec["seconds"]`` while reporting progress
and checking for cancellation, then returns ``spec["message"]``. Installed into real workers and the API
only through the ``platform.extra_slices`` setting (``tests.integration.kinds.echo``): the proof that a new
kind needs no edit anywhere else.

Each attempt appends a line to ``spec["record_to"]`` (if given) when it starts and when it finishes, so a
test can count how many attempts ran and how many reached the end.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from shared.errors import InvalidInput
from shared.jobs.kinds import JobKind, JobOutcome, RunningJob
from shared.jobs.status import JobStatus
from shared.slices import Platform

ECHO_QUEUE = "mimir.test.echo"
TICK_SECONDS = 0.05


def check_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The stored spec; InvalidInput naming the bad field."""
    message = spec.get("message")
    if not isinstance(message, str):
        raise InvalidInput.at("spec.message", "must be a string")
    seconds = spec.get("seconds", 0)
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= 60:
        raise InvalidInput.at("spec.seconds", "must be a number from 0 to 60")
    record_to = spec.get("record_to")
    if record_to is not None and not isinstance(record_to, str):
        raise InvalidInput.at("spec.record_to", "must be a path")
    return {"message": message, "seconds": seconds, "record_to": record_to}


def run(job: RunningJob) -> JobOutcome:
    """Sleep in ticks, noting progress and stopping at a cancellation; then echo the message."""
    _record(job, "started")
    seconds = float(job.spec["seconds"])
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        job.raise_if_cancelled()
        job.progress(elapsed / seconds, current_step="sleeping")
        time.sleep(TICK_SECONDS)
    job.log("INFO", f"echoing after {seconds:g}s")
    _record(job, "finished")
    return JobOutcome(JobStatus.SUCCEEDED, output={"message": job.spec["message"], "attempt": job.attempt})


def install(platform: Platform) -> None:
    """Add the echo kind."""
    platform.add_job_kind(
        JobKind(
            name="echo",
            queue=ECHO_QUEUE,
            run=run,
            label=lambda spec: f"echo {str(spec.get('message', ''))[:40]}",
            is_schedulable=True,
            description="sleeps, then returns its message (a test kind)",
            check_spec=check_spec,
        )
    )


def _record(job: RunningJob, event: str) -> None:
    path = job.spec.get("record_to")
    if path:
        with Path(path).open("a", encoding="utf-8") as out:
            out.write(f"{job.job_id} {job.attempt} {event}\n")
