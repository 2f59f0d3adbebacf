"""The whole bad-input catalogue (``bench/faults/catalogue.py``) against a real ``mimir api`` process:
each case gets its 4xx with a clear message, run-time cases fail their job clearly, and afterwards the
service is healthy and runs a good job."""

from __future__ import annotations

import pytest

from bench.faults.bad_input import run_catalogue
from bench.faults.catalogue import CASES
from bench.faults.stack import ApiClient
from mimir.testing.stack import ApiProcess, WorkerPool

pytestmark = pytest.mark.integration


def test_the_catalogue_has_at_least_fifty_cases_with_distinct_names() -> None:
    assert len(CASES) >= 50
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)
def test_every_malformed_request_gets_a_clear_4xx_and_the_service_stays_healthy(
    api: ApiProcess, workers: WorkerPool
) -> None:
    workers.start(1, concurrency=2)
    verdicts, unhealthy = run_catalogue(ApiClient(api.url))
    wrong = [f"{v.case.name}: {v.status} {v.message[:120]!r} ({v.problem})" for v in verdicts if v.problem]
    assert wrong == []
    assert all(v.status < 500 for v in verdicts)
    assert unhealthy == []
