"""Jobs finished per minute over a recent window, by outcome: the dashboard's throughput and failure chart."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from sqlalchemy import func, select

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs.records import JobRecord
from shared.jobs.status import JobStatus

_FINISHED = (JobStatus.SUCCEEDED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)


def finished_per_minute(db: Database, *, minutes: int) -> list[dict[str, Any]]:
    """One entry per minute of the last ``minutes`` (oldest first, empty minutes included): the minute
    (ISO, UTC) and how many jobs succeeded, failed and were cancelled in it."""
    now = utcnow().replace(second=0, microsecond=0)
    since = now - timedelta(minutes=minutes - 1)
    minute = (
        func.strftime("%Y-%m-%dT%H:%M", JobRecord.finished_at)
        if db.is_sqlite
        else func.to_char(func.date_trunc("minute", JobRecord.finished_at), 'YYYY-MM-DD"T"HH24:MI')
    )
    with db.reads() as session:
        rows = session.execute(
            select(minute, JobRecord.status, func.count())
            # created_at bounds the scan through its index; a job running longer than the window before it
            # finished is left out, which a throughput chart can afford.
            .where(
                JobRecord.status.in_(_FINISHED),
                JobRecord.created_at >= since - timedelta(minutes=minutes),
                JobRecord.finished_at >= since,
            )
            .group_by(minute, JobRecord.status)
        ).all()
    counts: dict[str, dict[str, int]] = {}
    for bucket, status, count in rows:
        counts.setdefault(str(bucket), dict.fromkeys(_FINISHED, 0))[status] = int(count)
    series = []
    for offset in range(minutes):
        at = since + timedelta(minutes=offset)
        key = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")
        tally = counts.get(key, dict.fromkeys(_FINISHED, 0))
        series.append({"minute": f"{key}:00Z", **tally})
    return series
