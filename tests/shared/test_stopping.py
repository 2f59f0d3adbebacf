"""The stop signal a running job's code waits on: set by a cancel, or by a time limit passing."""

from __future__ import annotations

import threading
import time

import pytest

from shared.errors import JobCancelled
from shared.stopping import StopSignal, TimeLimitExceeded


def test_a_wait_ends_as_soon_as_another_thread_stops_the_run() -> None:
    signal = StopSignal()
    threading.Timer(0.1, signal.stop, [JobCancelled("cancelled")]).start()
    started = time.monotonic()
    assert signal.wait(60) is True
    assert time.monotonic() - started < 1
    with pytest.raises(JobCancelled):
        signal.raise_if_stopped()


def test_a_wait_that_nothing_interrupts_lasts_its_seconds_and_says_so() -> None:
    started = time.monotonic()
    assert StopSignal().wait(0.2) is False
    assert time.monotonic() - started >= 0.2


def test_a_job_limit_ends_a_wait_and_names_the_setting() -> None:
    signal = StopSignal()
    signal.limit_job(0.2, "queue.job_timeout_seconds")
    started = time.monotonic()
    assert signal.wait(60) is True
    assert time.monotonic() - started < 1
    with pytest.raises(TimeLimitExceeded, match=r"limit of 0.2s \(queue.job_timeout_seconds\)"):
        signal.raise_if_stopped()


def test_a_step_limit_holds_only_inside_its_step() -> None:
    signal = StopSignal()
    with signal.limit_step(0.1, "plugins.step_timeout_seconds"):
        assert signal.remaining() is not None
    time.sleep(0.15)
    assert not signal.is_stopped and signal.remaining() is None


def test_the_first_reason_wins_and_callbacks_run_once_unless_forgotten() -> None:
    signal = StopSignal()
    called: list[str] = []
    forget = signal.on_stop(lambda: called.append("forgotten"))
    signal.on_stop(lambda: called.append("kept"))
    forget()
    signal.stop(JobCancelled("first"))
    signal.stop(JobCancelled("second"))
    assert called == ["kept"]
    assert signal.reason is not None and signal.reason.message == "first"
    signal.on_stop(lambda: called.append("late"))  # already stopped: called at once
    assert called == ["kept", "late"]
