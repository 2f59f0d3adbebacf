"""LoopService: rounds at an interval in a thread, errors logged and survived, hooks around the loop."""

from __future__ import annotations

import threading

import pytest

from shared.loops import LoopService


class Counting(LoopService):
    def __init__(self, fail_first: int = 0) -> None:
        super().__init__("counting", 0.01)
        self.rounds = 0
        self.fail_first = fail_first
        self.events: list[str] = []
        self.enough = threading.Event()

    def on_start(self) -> None:
        self.events.append("start")

    def run_once(self) -> None:
        self.rounds += 1
        if self.rounds <= self.fail_first:
            raise RuntimeError("database away")
        if self.rounds >= self.fail_first + 3:
            self.enough.set()

    def on_stop(self) -> None:
        self.events.append("stop")


def test_a_loop_runs_rounds_until_stopped_between_its_hooks() -> None:
    loop = Counting()
    loop.start()
    assert loop.enough.wait(5)
    loop.stop()
    assert not loop.is_running
    assert loop.events == ["start", "stop"]


def test_a_failing_round_is_logged_and_the_loop_goes_on(caplog: pytest.LogCaptureFixture) -> None:
    loop = Counting(fail_first=2)
    loop.start()
    assert loop.enough.wait(5)
    loop.stop()
    assert sum("loop counting failed" in r.getMessage() for r in caplog.records) == 2


def test_a_loop_can_be_given_its_round_as_a_function() -> None:
    ran = threading.Event()
    loop = LoopService("function", 0.01, lambda: ran.set() or None)
    loop.start()
    assert ran.wait(5)
    loop.stop()


def test_an_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="interval must be greater than 0"):
        LoopService("bad", 0)
