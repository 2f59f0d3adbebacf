"""The API's job waiter against real Redis and databases: it wakes on a lost message within the
recheck interval, and lets go of a caller that has gone away at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from shared.config import Settings
from shared.db.engine import Database
from shared.jobs import service
from shared.jobs.events import CALLER_CHECK_SECONDS, SAFETY_RECHECK_SECONDS, JobWaiter
from shared.jobs.targets import RunTarget
from shared.pipelines.job_kind import pipeline_job_kind
from shared.pipelines.model import PipelineDefinition

pytestmark = pytest.mark.integration


@pytest.fixture()
def waiter(settings: Settings) -> Iterator[JobWaiter]:
    job_waiter = JobWaiter(settings.resolved_redis_url)
    yield job_waiter
    job_waiter.close()


def _queued_job(db: Database) -> str:
    definition = PipelineDefinition.from_dict(
        {"name": "w", "steps": [{"name": "a", "plugin": "Utility.noop"}]}
    )
    return service.create_job(db, pipeline_job_kind(), RunTarget(definition=definition).job_request({})).id


def test_a_wait_whose_finish_message_was_lost_returns_after_one_recheck(
    waiter: JobWaiter, db: Database
) -> None:
    job_id = _queued_job(db)
    outcome: dict[str, object] = {}

    def wait() -> None:
        outcome["job"] = waiter.wait(db, job_id, 30)

    thread = threading.Thread(target=wait)
    thread.start()
    time.sleep(0.5)
    service.cancel_job(db, job_id)  # finished, and nobody publishes it
    started = time.monotonic()
    thread.join(SAFETY_RECHECK_SECONDS + 5)
    assert not thread.is_alive()
    assert time.monotonic() - started <= SAFETY_RECHECK_SECONDS + 1
    assert outcome["job"].status == "cancelled"  # type: ignore[attr-defined]


def test_a_wait_lets_go_as_soon_as_its_caller_has_left(waiter: JobWaiter, db: Database) -> None:
    job_id = _queued_job(db)
    left_at = time.monotonic() + 0.3
    started = time.monotonic()
    job = waiter.wait(db, job_id, 30, should_stop=lambda: time.monotonic() >= left_at)
    assert job.status == "queued"
    assert time.monotonic() - started <= 0.3 + CALLER_CHECK_SECONDS + 0.5
    assert waiter.open_waits == 0
