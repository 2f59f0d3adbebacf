"""Celery task events, the way Flower gets them: off by default, switched on remotely by a control
broadcast (what Flower's ``--enable-events`` sends), then a real worker reports a job's task."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from mimir.testing.stack import WorkerPool
from shared.config import Settings
from shared.queue.celery_app import RUN_JOB, create_celery
from tests.integration.conftest import pipeline_yaml

pytestmark = pytest.mark.integration


def _run_job(client: FlaskClient) -> str:
    response = client.post(
        "/api/v1/queue/pipelines/enqueue",
        json={"pipeline_yaml": pipeline_yaml("{name: a, plugin: Utility.noop}"), "context": {}},
    )
    assert response.status_code == 202, response.json
    job_id = str(response.json["job_id"])
    job = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout=60s").json
    assert job["status"] == "succeeded", job
    return job_id


def _succeeded(events: list[dict[str, Any]]) -> set[str]:
    return {str(e.get("uuid")) for e in list(events) if e.get("type") == "task-succeeded"}


class EventListener:
    """Collects every Celery event in a thread, the way Flower's receiver does."""

    def __init__(self, settings: Settings) -> None:
        self.seen: list[dict[str, Any]] = []
        self._app = create_celery(settings)
        self._ready = threading.Event()
        self._receiver: Any = None
        self._thread = threading.Thread(target=self._listen, daemon=True)

    def __enter__(self) -> EventListener:
        self._thread.start()
        assert self._ready.wait(10), "the event receiver did not start"
        return self

    def __exit__(self, *_: object) -> None:
        self._receiver.should_stop = True
        self._thread.join(timeout=10)

    def _listen(self) -> None:
        with self._app.connection_for_read() as connection:
            self._receiver = self._app.events.Receiver(connection, handlers={"*": self.seen.append})
            self._receiver.on_consume_ready = lambda *_, **__: self._ready.set()
            for _ in self._receiver.consume(limit=None, timeout=None, safety_interval=0.5):
                pass


def _wait_until_idle(settings: Settings) -> None:
    inspect = create_celery(settings).control.inspect(timeout=2)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        active = inspect.active() or {}
        if active and not any(active.values()):
            return
        time.sleep(0.05)
    raise AssertionError(f"the worker still runs tasks: {active}")


def test_task_events_are_off_until_a_monitor_switches_them_on(
    client: FlaskClient, workers: WorkerPool, settings: Settings
) -> None:
    assert settings.celery_events is False
    workers.start(1)
    with EventListener(settings) as events:
        quiet_job = _run_job(client)
        # wait answers once the job's row is final, a moment before Celery ends the task: switching
        # events on in that moment would report the quiet job's end too.
        _wait_until_idle(settings)
        replies = create_celery(settings).control.enable_events(reply=True, timeout=5)
        assert replies, "no worker answered the enable_events broadcast"
        loud_job = _run_job(client)
        # The task's events leave the worker just after the job's result: give them a moment.
        deadline = time.monotonic() + 10
        while loud_job not in _succeeded(events.seen) and time.monotonic() < deadline:
            time.sleep(0.05)
    seen = events.seen
    succeeded = _succeeded(seen)
    assert loud_job in succeeded
    assert quiet_job not in succeeded
    assert all(e.get("name") in (None, RUN_JOB) for e in seen if e.get("type") == "task-received")
