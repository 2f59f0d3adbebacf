"""The fault scripts' smoke runs: each runs end to end against real servers, holds its invariant (the
script exits non-zero otherwise) and writes its figures."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.common import RESULTS_DIR
from mimir.testing.servers import find_postgres_bin_dir, find_redis_server, require_binary
from tests.bench.test_bench_smoke import _run

pytestmark = pytest.mark.integration


def _figures(stem: str) -> dict[str, Any]:
    figures: dict[str, Any] = json.loads((RESULTS_DIR / f"{stem}-smoke.json").read_text())
    assert figures["passed"] is True, figures["failures"]
    return figures


@pytest.fixture(autouse=True)
def _servers() -> None:
    require_binary(find_redis_server(), "redis-server")
    require_binary(find_postgres_bin_dir(), "PostgreSQL server binaries")


@pytest.mark.slow
def test_killed_workers_lose_no_job() -> None:
    _run("bench.faults.workers")
    figures = _figures("faults-workers-postgresql")
    assert figures["lost"] == 0 and figures["jobs"] == 30
    assert 1 <= len(figures["kills"]) <= 2 and figures["unfinished_at_last_kill"] > 0


@pytest.mark.slow
def test_killed_beat_leaders_fire_every_slot_once() -> None:
    _run("bench.faults.beat")
    figures = _figures("faults-beat-postgresql")
    assert figures["missing_slots"] == [] and figures["slots_fired_more_than_once"] == []
    assert figures["slots"] >= 4 and len(figures["failover_seconds"]) == 2


@pytest.mark.slow
def test_a_redis_restart_loses_no_accepted_enqueue() -> None:
    _run("bench.faults.redis_restart")
    figures = _figures("faults-redis-postgresql")
    assert figures["lost"] == 0 and figures["accepted"] > 0 and figures["processes_that_died"] == []


@pytest.mark.slow
def test_a_killed_redis_of_mimir_up_is_restarted_and_every_accepted_job_succeeds() -> None:
    _run("bench.faults.embedded_redis")
    figures = _figures("faults-embedded-redis")
    assert figures["lost"] == 0 and figures["accepted"] > 0 and figures["supervisor_alive"] is True
    assert len(set(figures["redis_pids"])) == 2 and figures["seconds_from_kill_to_health_ok"][0] < 30


@pytest.mark.slow
def test_a_postgres_restart_answers_503_and_loses_no_job() -> None:
    _run("bench.faults.postgres_restart")
    figures = _figures("faults-postgres")
    assert figures["answers_not_a_clear_503"] == [] and figures["jobs_lost_or_stuck"] == []
    assert {a["status"] for a in figures["answers_while_down"]} == {503}


def test_the_bad_input_catalogue_runs_clean() -> None:
    _run("bench.faults.bad_input", "--database", "sqlite")
    figures = _figures("faults-bad-input-sqlite")
    assert len(figures["cases"]) >= 50 and figures["after"] == []


@pytest.mark.slow
def test_slow_held_and_dropped_clients_leave_health_and_enqueue_answering() -> None:
    _run("bench.faults.api_exhaustion")
    figures = _figures("faults-api-exhaustion-postgresql")
    held = figures["probes"]["held"]
    assert held["health_max_ms"] < 1000 and held["health_outcomes"] == {"200": held["health_probes"]}
    assert held["enqueues"] > 0 and held["enqueue_outcomes"] == {"202": held["enqueues"]}
    assert figures["dropped_freed_seconds"] <= 3
    assert figures["held_waits_after_release"] == {"200": figures["settings"]["held"]}
