"""Firing logic against a real database (SQLite and PostgreSQL) with the clock driven by the test."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from mimir.testing.schedule_rows import fires_of, jobs_of
from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs import service as jobs
from shared.pipelines import service as pipelines
from shared.pipelines.validation import load_single_pipeline
from shared.plugins.registry import PluginRegistry
from shared.scheduling import service as schedules
from shared.scheduling.firing import FirePolicy, fire_due_schedules
from shared.scheduling.records import ScheduleRecord
from shared.scheduling.upkeep import backup_sqlite, delete_old_jobs, list_backups
from tests.integration.conftest import pipeline_yaml

POLICY = FirePolicy(misfire_grace=timedelta(seconds=30), max_catchup=100)


def _schedule(db: Database, **fields: Any) -> ScheduleRecord:
    registry = PluginRegistry.default(include_entry_points=False)
    definition = load_single_pipeline(pipeline_yaml("{name: tick, plugin: Utility.noop}"), registry)
    pipeline = pipelines.create_pipeline(db, definition, None)
    values = {"name": f"s-{pipeline.id[:8]}", "pipeline_id": pipeline.id, "cron_expr": "* * * * * *"}
    values.update(fields)
    return schedules.create_schedule(db, values, default_timezone="UTC")


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _finish_all(db: Database, schedule_id: str) -> None:
    for job in jobs_of(db, schedule_id):
        if job.status == "queued":
            jobs.cancel_job(db, job.id)


def test_each_due_slot_fires_once_however_often_beat_ticks(db: Database) -> None:
    schedule = _schedule(db)
    assert schedule.next_run is not None
    start = schedule.next_run
    for offset in (0.0, 0.5, 1.0, 1.0, 2.2, 2.9):
        fire_due_schedules(db, POLICY, start + timedelta(seconds=offset))
    slots = [j.scheduled_for for j in jobs_of(db, schedule.id)]
    assert slots == [start, start + timedelta(seconds=1), start + timedelta(seconds=2)]
    assert {j.triggered_by for j in jobs_of(db, schedule.id)} == {"scheduler"}
    stored = schedules.get_schedule(db, schedule.id).record
    assert stored.next_run == start + timedelta(seconds=3)
    assert stored.last_run == start + timedelta(seconds=2)


def test_racing_beats_fire_each_slot_exactly_once(db: Database) -> None:
    schedule = _schedule(db)
    assert schedule.next_run is not None
    now = schedule.next_run + timedelta(seconds=9)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            barrier.wait()
            fire_due_schedules(db, POLICY, now)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=beat) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    slots = [j.scheduled_for for j in jobs_of(db, schedule.id)]
    assert len(slots) == 10 and len(set(slots)) == 10
    assert len(fires_of(db, schedule.id)) == 10


def test_catch_up_none_drops_missed_slots_and_resumes(db: Database) -> None:
    schedule = _schedule(db, catchup="none")
    assert schedule.next_run is not None
    now = schedule.next_run + timedelta(seconds=100)  # beat was down for 100 slots; grace is 30s
    fire_due_schedules(db, POLICY, now)
    slots = [j.scheduled_for for j in jobs_of(db, schedule.id)]
    assert slots == [now - timedelta(seconds=s) for s in range(30, -1, -1)]  # only slots within the grace
    assert schedules.get_schedule(db, schedule.id).record.next_run == now + timedelta(seconds=1)


def test_catch_up_last_runs_the_latest_missed_slot_once(db: Database) -> None:
    schedule = _schedule(db, catchup="last", cron_expr="0 * * * *")
    assert schedule.next_run is not None
    now = schedule.next_run + timedelta(hours=5, minutes=10)
    fire_due_schedules(db, POLICY, now)
    assert [j.scheduled_for for j in jobs_of(db, schedule.id)] == [schedule.next_run + timedelta(hours=5)]
    assert schedules.get_schedule(db, schedule.id).record.next_run == schedule.next_run + timedelta(hours=6)


def test_catch_up_all_runs_every_missed_slot_within_the_window(db: Database) -> None:
    schedule = _schedule(db, catchup="all", cron_expr="0 * * * *", catchup_window_seconds=3 * 3600)
    assert schedule.next_run is not None
    now = schedule.next_run + timedelta(hours=5, minutes=10)
    fire_due_schedules(db, POLICY, now)
    expected = [schedule.next_run + timedelta(hours=h) for h in (3, 4, 5)]  # 02:10 ago is the window edge
    assert [j.scheduled_for for j in jobs_of(db, schedule.id)] == expected
    fire_due_schedules(db, POLICY, now)  # a restart right after: nothing fires twice
    assert len(jobs_of(db, schedule.id)) == 3


def test_overlap_skip_records_the_skipped_slot(db: Database) -> None:
    schedule = _schedule(db, overlap="skip")
    assert schedule.next_run is not None
    start = schedule.next_run
    fire_due_schedules(db, POLICY, start)
    fire_due_schedules(db, POLICY, start + timedelta(seconds=2))  # the first job is still queued
    fires = fires_of(db, schedule.id)
    assert [(f.outcome, f.reason) for f in fires] == [
        ("fired", None),
        ("skipped", "previous run still going"),
        ("skipped", "previous run still going"),
    ]
    _finish_all(db, schedule.id)
    fire_due_schedules(db, POLICY, start + timedelta(seconds=3))
    assert [f.outcome for f in fires_of(db, schedule.id)][-1] == "fired"


def test_overlap_queue_defers_one_run_until_the_previous_ends(db: Database) -> None:
    schedule = _schedule(db, overlap="queue")
    assert schedule.next_run is not None
    start = schedule.next_run
    fire_due_schedules(db, POLICY, start)
    fire_due_schedules(db, POLICY, start + timedelta(seconds=1))
    fire_due_schedules(db, POLICY, start + timedelta(seconds=3))
    assert len(jobs_of(db, schedule.id)) == 1
    assert schedules.get_schedule(db, schedule.id).record.deferred_slot == start + timedelta(seconds=1)
    _finish_all(db, schedule.id)
    fire_due_schedules(db, POLICY, start + timedelta(seconds=3, milliseconds=500))
    runs = jobs_of(db, schedule.id)
    assert [j.scheduled_for for j in runs] == [start, start + timedelta(seconds=1)]
    assert schedules.get_schedule(db, schedule.id).record.deferred_slot is None


def test_disabled_schedule_does_not_fire_and_enabling_skips_the_gap(db: Database) -> None:
    schedule = _schedule(db, cron_expr="*/10 * * * * *")
    schedules.set_enabled(db, schedule.id, False)
    assert schedule.next_run is not None
    fire_due_schedules(db, POLICY, schedule.next_run + timedelta(seconds=5))
    assert jobs_of(db, schedule.id) == []
    enabled = schedules.set_enabled(db, schedule.id, True)
    assert enabled.next_run is not None and enabled.next_run > utcnow()


def test_retention_deletes_only_old_finished_jobs(db: Database) -> None:
    schedule = _schedule(db)
    assert schedule.next_run is not None
    fire_due_schedules(db, POLICY, schedule.next_run + timedelta(seconds=1))
    first, second = jobs_of(db, schedule.id)
    jobs.cancel_job(db, first.id)  # finished now
    assert delete_old_jobs(db, retention_days=1) == 0
    assert delete_old_jobs(db, retention_days=1, now=utcnow() + timedelta(days=2)) == 1
    assert [j.id for j in jobs_of(db, schedule.id)] == [second.id]  # queued jobs are never deleted


def test_sqlite_backup_is_a_consistent_copy_and_old_ones_are_pruned(db: Database, tmp_path: Path) -> None:
    if not db.is_sqlite:
        assert backup_sqlite(db, tmp_path / "backups", keep=2) is None  # PostgreSQL uses its own tools
        return
    schedule = _schedule(db)
    made = [
        backup_sqlite(db, tmp_path / "backups", keep=2, now=utcnow() + timedelta(seconds=i)) for i in range(3)
    ]
    assert list_backups(tmp_path / "backups") == made[1:]
    copy = Database.connect(f"sqlite:///{made[-1]}")
    try:
        assert schedules.get_schedule(copy, schedule.id).record.name == schedule.name
    finally:
        copy.dispose()


def test_mimir_backup_command_writes_a_backup_or_explains_why_not(db: Database, settings: Any) -> None:
    import subprocess
    import sys

    from mimir.testing.stack import REPO_ROOT, settings_environment

    result = subprocess.run(
        [sys.executable, "-m", "mimir.cli", "backup"],
        env=settings_environment(settings),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if db.is_sqlite:
        assert result.returncode == 0, result.stderr
        assert list_backups(settings.backups_dir), result.stdout
    else:
        assert result.returncode == 1
        assert "back it up with PostgreSQL's own tools" in result.stderr
