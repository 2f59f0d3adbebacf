"""Reading what a schedule produced straight from the database (the truth the tests check)."""

from __future__ import annotations

from sqlalchemy import select

from shared.db.engine import Database
from shared.jobs.records import JobRecord
from shared.scheduling.records import ScheduleFireRecord


def jobs_of(db: Database, schedule_id: str) -> list[JobRecord]:
    """The schedule's jobs, by slot."""
    with db.reads() as session:
        return list(
            session.execute(
                select(JobRecord)
                .where(JobRecord.schedule_id == schedule_id)
                .order_by(JobRecord.scheduled_for)
            ).scalars()
        )


def fires_of(db: Database, schedule_id: str) -> list[ScheduleFireRecord]:
    """The schedule's fire rows (fired and skipped slots), by slot."""
    with db.reads() as session:
        return list(
            session.execute(
                select(ScheduleFireRecord)
                .where(ScheduleFireRecord.schedule_id == schedule_id)
                .order_by(ScheduleFireRecord.slot)
            ).scalars()
        )
