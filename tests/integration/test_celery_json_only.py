"""Celery speaks JSON only: a pickled message put on the queue by hand is refused and runs nothing."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from celery import Celery
from flask.testing import FlaskClient

from mimir.testing.stack import WorkerPool
from shared.config import Settings
from shared.queue.celery_app import PIPELINE_QUEUE, RUN_JOB
from tests.integration.conftest import pipeline_yaml
from worker.app import create_worker_app

pytestmark = pytest.mark.integration


class _MakesDirectoryWhenUnpickled:
    """A pickle payload that, if the worker ever unpickled it, would create a directory."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.mkdir, (str(self.marker),))


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_both_the_api_producer_and_the_worker_accept_json_only(
    client: FlaskClient, settings: Settings
) -> None:
    producer = client.application.extensions["mimir"].celery
    assert list(producer.conf.accept_content) == ["json"]
    assert producer.conf.task_serializer == "json"
    worker_app = create_worker_app(settings)
    assert list(worker_app.conf.accept_content) == ["json"]
    assert worker_app.conf.result_serializer == "json"


@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_pickled_message_is_refused_by_a_real_worker_and_runs_nothing(
    client: FlaskClient, workers: WorkerPool, settings: Settings, tmp_path: Path
) -> None:
    worker = workers.start(1)[0]
    marker = tmp_path / "pickle-ran"
    attacker = Celery("attacker", broker=settings.resolved_redis_url, set_as_current=False)
    attacker.conf.update(task_serializer="pickle", accept_content=["pickle", "json"])
    try:
        attacker.send_task(
            RUN_JOB,
            args=(_MakesDirectoryWhenUnpickled(marker),),
            queue=PIPELINE_QUEUE,
            serializer="pickle",
        )
    finally:
        attacker.close()
    deadline = time.monotonic() + 60
    while "untrusted content" not in worker.log_tail(200) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "untrusted content of type pickle" in worker.log_tail(200), worker.log_tail()
    assert not marker.exists()
    # The worker survives the refused message and keeps running real (JSON) jobs.
    enqueued = client.post(
        "/api/v1/queue/pipelines/enqueue",
        json={"pipeline_yaml": pipeline_yaml("{name: nap, plugin: Utility.sleep, config: {seconds: 0.1}}")},
    )
    job = client.get(f"/api/v1/queue/jobs/{enqueued.json['job_id']}/wait?timeout=60s").json
    assert job["status"] == "succeeded", job
    assert not marker.exists()
