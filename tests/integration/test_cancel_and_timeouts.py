"""Cancels and time limits with real worker processes: a cancel interrupts the running step and the next
step never starts; a step or a job over its time limit fails naming the limit."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pytest
from flask.testing import FlaskClient

from mimir.testing.stack import WorkerPool
from shared.config import Settings
from tests.integration.conftest import pipeline_yaml

pytestmark = pytest.mark.integration

NAP_THEN_AFTER = pipeline_yaml(
    "{name: nap, plugin: Utility.sleep, config: {seconds: 60}}",
    "{name: after, plugin: Utility.noop}",
)


@pytest.fixture()
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The stack's settings with the time limits a test names (``indirect`` parameter)."""
    limits: dict[str, Any] = getattr(request, "param", {})
    return dataclasses.replace(settings, **limits)


def _enqueue(client: FlaskClient, text: str) -> str:
    response = client.post("/api/v1/queue/pipelines/enqueue", json={"pipeline_yaml": text})
    assert response.status_code == 202, response.json
    return str(response.json["job_id"])


def _wait(client: FlaskClient, job_id: str, timeout: str = "30s") -> dict[str, Any]:
    response = client.get(f"/api/v1/queue/jobs/{job_id}/wait?timeout={timeout}")
    assert response.status_code == 200, response.json
    return dict(response.json)


def _wait_until_step_runs(client: FlaskClient, job_id: str) -> None:
    deadline = time.monotonic() + 20
    while client.get(f"/api/v1/queue/jobs/{job_id}").json["status"] != "running":
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)


def _log_messages(client: FlaskClient, job_id: str) -> list[str]:
    return [line["message"] for line in client.get(f"/api/v1/queue/jobs/{job_id}/logs").json["lines"]]


@pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)
def test_cancel_during_a_60_second_step_ends_the_job_within_2_seconds_and_the_next_step_never_starts(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    job_id = _enqueue(client, NAP_THEN_AFTER)
    _wait_until_step_runs(client, job_id)
    time.sleep(1)  # well into the step
    asked = time.monotonic()
    assert client.post(f"/api/v1/queue/jobs/{job_id}/cancel").status_code == 200
    job = _wait(client, job_id, "10s")
    took = time.monotonic() - asked
    assert (job["status"], job["error"]) == ("cancelled", "cancelled")
    assert took < 2, f"cancelled after {took:.2f}s"
    assert [s["status"] for s in job["steps"]] == ["cancelled", "skipped"]
    assert job["steps"][1]["started_at"] is None
    assert not any("(after) started" in message for message in _log_messages(client, job_id))


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("settings", [{"step_timeout_seconds": 1.0}], indirect=True)
def test_a_step_over_plugins_step_timeout_seconds_fails_the_job_naming_the_limit(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    started = time.monotonic()
    job = _wait(client, _enqueue(client, NAP_THEN_AFTER))
    assert time.monotonic() - started < 10
    assert job["status"] == "failed"
    assert job["error"] == (
        "step 0 (nap) failed: the step ran longer than its limit of 1s (plugins.step_timeout_seconds)"
    )
    assert [s["status"] for s in job["steps"]] == ["failed", "skipped"]


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
@pytest.mark.parametrize("settings", [{"job_timeout_seconds": 1.5}], indirect=True)
def test_a_job_over_queue_job_timeout_seconds_fails_naming_the_limit(
    client: FlaskClient, workers: WorkerPool
) -> None:
    workers.start(1)
    text = pipeline_yaml(
        "{name: first, plugin: Utility.sleep, config: {seconds: 1}}",
        "{name: second, plugin: Utility.sleep, config: {seconds: 60}}",
        "{name: after, plugin: Utility.noop}",
    )
    started = time.monotonic()
    job = _wait(client, _enqueue(client, text))
    assert time.monotonic() - started < 10
    assert job["status"] == "failed"
    assert job["error"] == (
        "step 1 (second) failed: the job ran longer than its limit of 1.5s (queue.job_timeout_seconds)"
    )
    assert [s["status"] for s in job["steps"]] == ["succeeded", "failed", "skipped"]
