"""Real ``mimir beat`` processes firing schedules through real workers: counts, failover, downtime."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from mimir.testing.schedule_rows import fires_of, jobs_of
from mimir.testing.stack import BeatPool, WorkerPool, beat_pool
from shared.config import Settings
from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs.records import JobRecord
from tests.integration.conftest import pipeline_yaml

pytestmark = pytest.mark.integration
SCHEDULES = "/api/v1/scheduler/jobs"
SECOND = timedelta(seconds=1)


def _per_second_schedule(client: FlaskClient, name: str, **fields: Any) -> dict[str, Any]:
    pipeline = client.post(
        "/api/v1/pipelines",
        json={"pipeline_yaml": pipeline_yaml("{name: a, plugin: Utility.noop}", name=f"p-{name}")},
    )
    assert pipeline.status_code == 201, pipeline.json
    body = {"name": name, "pipeline_id": pipeline.json["id"], "cron_expr": "* * * * * *", **fields}
    response = client.post(SCHEDULES, json=body)
    assert response.status_code == 201, response.json
    return dict(response.json)


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _assert_every_slot_once(
    db: Database, schedule_id: str, first: datetime, until: datetime
) -> list[JobRecord]:
    jobs = jobs_of(db, schedule_id)
    slots = [j.scheduled_for for j in jobs]
    assert len(slots) == len(set(slots)), "a slot fired twice"
    expected = []
    slot = first
    while slot <= until:
        expected.append(slot)
        slot += SECOND
    assert [s for s in slots if s is not None and s <= until] == expected
    return jobs


@pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)
def test_per_second_schedule_fires_once_per_slot_through_the_workers(
    client: FlaskClient, db: Database, workers: WorkerPool, beats: BeatPool
) -> None:
    workers.start(1, concurrency=2)
    beats.start(1)
    beats.leader()
    schedule = _per_second_schedule(client, "tick")
    first = datetime.fromisoformat(schedule["next_run"])
    time.sleep(6)
    client.post(f"{SCHEDULES}/{schedule['id']}/disable")
    stopped = utcnow()
    until = stopped - timedelta(seconds=1.5)  # slots this old were certainly due while beat ran
    jobs = _assert_every_slot_once(db, schedule["id"], first, until)
    assert len(jobs) >= 4
    _wait_for(
        lambda: all(j.status == "succeeded" for j in jobs_of(db, schedule["id"])), 30, "jobs to succeed"
    )
    assert {j.triggered_by for j in jobs} == {"scheduler"}
    assert all(
        j.scheduled_for is not None and j.scheduled_for < stopped + SECOND
        for j in jobs_of(db, schedule["id"])
    )
    runs = client.get(f"{SCHEDULES}/{schedule['id']}/runs?page_size=100").json
    assert runs["total"] == len(jobs_of(db, schedule["id"]))


@pytest.mark.parametrize("database_kind", ["sqlite", "postgresql"], indirect=True)
def test_three_beats_with_the_leader_killed_repeatedly_fire_each_slot_exactly_once(
    client: FlaskClient, db: Database, settings: Settings, workers: WorkerPool, beats: BeatPool
) -> None:
    workers.start(1, concurrency=2)
    beats.start(3)
    beats.leader()
    schedule = _per_second_schedule(client, "failover")
    first = datetime.fromisoformat(schedule["next_run"])
    killed = []
    for _ in range(3):
        time.sleep(3)
        leader = beats.leader()
        beats.kill(leader)
        killed.append(leader.pid)
        beats.start(1)
    time.sleep(4)
    assert beats.leader().pid not in killed
    client.post(f"{SCHEDULES}/{schedule['id']}/disable")
    until = utcnow() - timedelta(seconds=1.5)
    jobs = _assert_every_slot_once(db, schedule["id"], first, until)
    lateness = max((j.created_at - j.scheduled_for).total_seconds() for j in jobs if j.scheduled_for)
    # A new leader takes over once the dead one's lease expires, then fires the slots it missed.
    assert lateness < settings.scheduler_lease_seconds + 3.0, lateness


def _moved_past(client: FlaskClient, schedule: dict[str, Any], moment: datetime) -> bool:
    view = client.get(f"{SCHEDULES}/{schedule['id']}").json
    return datetime.fromisoformat(view["next_run"]) > moment


@pytest.mark.parametrize("database_kind", ["postgresql"], indirect=True)
def test_beat_down_across_slots_applies_each_catch_up_policy_on_restart(
    client: FlaskClient, db: Database, settings: Settings, flushed_redis: str, tmp_path: Path
) -> None:
    """The restarted beat's first tick reads one ``now`` (T) for every due schedule, and the three schedules
    share one cron, so they share T's on-time slots: the test compares the policies with each other instead of
    guessing T from when rows were written (a loaded machine writes them seconds after T)."""
    grace = 2.0
    quick_misfire = settings.with_overrides(scheduler_misfire_grace_seconds=grace)
    policies = {p: _per_second_schedule(client, f"catchup-{p}", catchup=p) for p in ("none", "last", "all")}
    with beat_pool(quick_misfire, tmp_path / "beat-logs") as pool:
        beat = pool.start(1)[0]
        _wait_for(lambda: all(fires_of(db, s["id"]) for s in policies.values()), 60, "first fires")
        pool.kill(beat)
        down_at = utcnow()
        time.sleep(8)
        restarted_at = utcnow()
        pool.start(1)
        # The tick fires a schedule's slots, then moves its next_run: wait for both, for every schedule.
        _wait_for(
            lambda: all(_moved_past(client, s, restarted_at) for s in policies.values()),
            60,
            "the restart's tick",
        )
    fires = {policy: fires_of(db, schedule["id"]) for policy, schedule in policies.items()}
    after = {
        policy: sorted(f.slot for f in rows if f.created_at > restarted_at) for policy, rows in fires.items()
    }
    for policy, slots in after.items():
        assert slots == [slots[0] + i * SECOND for i in range(len(slots))], (
            policy,
            "a gap after the restart",
        )
    # None drops every missed slot: its first slot after the restart is T's first on-time slot, the first
    # one at or after T - grace, where restarted_at <= T <= the first row written after the restart.
    first_on_time = after["none"][0]
    first_written_after = min(
        f.created_at for rows in fires.values() for f in rows if f.created_at > restarted_at
    )
    assert restarted_at - timedelta(seconds=grace) <= first_on_time, (first_on_time, restarted_at)
    assert first_on_time < first_written_after - timedelta(seconds=grace) + SECOND, (
        first_on_time,
        first_written_after,
    )
    for policy, rows in fires.items():
        last_before = max(f.slot for f in rows if f.created_at < down_at + SECOND)
        missed = int((first_on_time - last_before) / SECOND) - 1
        assert missed >= 5, (policy, missed)
        if policy == "none":
            assert after[policy][0] == first_on_time
        elif policy == "last":  # only the latest missed slot, just before the on-time ones
            assert after[policy][0] == first_on_time - SECOND, (after[policy][0], first_on_time)
        else:  # every missed slot, so every slot since the first fire without a gap
            all_slots = sorted(f.slot for f in rows)
            assert all_slots == [all_slots[0] + i * SECOND for i in range(len(all_slots))], policy
            assert after[policy][0] == last_before + SECOND


@pytest.mark.usefixtures("flushed_redis")
@pytest.mark.parametrize("database_kind", ["sqlite"], indirect=True)
def test_a_beat_with_the_scheduler_disabled_fires_nothing(
    client: FlaskClient, db: Database, settings: Settings, tmp_path: Path
) -> None:
    with beat_pool(settings.with_overrides(scheduler_enabled=False), tmp_path / "disabled-beat") as pool:
        pool.start(1)
        pool.leader()  # it runs, leads and does upkeep
        schedule = _per_second_schedule(client, "never")
        time.sleep(3)
        assert jobs_of(db, schedule["id"]) == []
        logs = "".join(p.read_text() for p in (tmp_path / "disabled-beat").glob("*.log"))
        assert "scheduler.enabled is false: schedules are not fired" in logs
