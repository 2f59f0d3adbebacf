"""Job statistics from the database: counts by status, and per pipeline the success rate and duration
percentiles of the jobs finished in a recent window (at most ``limit`` of them, newest first)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.jobs.records import JobRecord
from shared.jobs.service import count_by_status
from shared.jobs.status import JobStatus

_FINISHED = (JobStatus.SUCCEEDED.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)


@dataclass
class _PipelineTally:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(_FINISHED, 0))
    durations: list[float] = field(default_factory=list)


def job_statistics(db: Database, *, window_seconds: float, limit: int) -> dict[str, Any]:
    """Counts of every job by status; per pipeline, the finished jobs created in the last
    ``window_seconds``: how many ended each way, the success rate and duration percentiles (seconds)."""
    since = utcnow() - timedelta(seconds=window_seconds)
    with db.reads() as session:
        rows = session.execute(
            select(JobRecord.pipeline_name, JobRecord.status, JobRecord.started_at, JobRecord.finished_at)
            .where(JobRecord.status.in_(_FINISHED), JobRecord.created_at >= since)
            .order_by(JobRecord.created_at.desc())
            .limit(limit)
        ).all()
    tallies: dict[str, _PipelineTally] = defaultdict(_PipelineTally)
    for name, status, started_at, finished_at in rows:
        tally = tallies[name]
        tally.counts[status] += 1
        if started_at is not None and finished_at is not None:
            tally.durations.append(max((finished_at - started_at).total_seconds(), 0.0))
    pipelines = [_describe(name, tally) for name, tally in sorted(tallies.items())]
    finished = sum(p["finished"] for p in pipelines)
    succeeded = sum(p["succeeded"] for p in pipelines)
    return {
        "by_status": count_by_status(db),
        "window_seconds": window_seconds,
        "sampled_jobs": len(rows),
        "is_truncated": len(rows) >= limit,
        "finished": finished,
        "success_rate": round(succeeded / finished, 4) if finished else None,
        "pipelines": pipelines,
    }


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    """The value below which ``fraction`` of ``sorted_values`` lie (linear between ranks); None if empty."""
    if not sorted_values:
        return None
    position = (len(sorted_values) - 1) * fraction
    lower = int(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * (position - lower)


def _describe(name: str, tally: _PipelineTally) -> dict[str, Any]:
    finished = sum(tally.counts.values())
    durations = sorted(tally.durations)
    return {
        "pipeline_name": name,
        "finished": finished,
        **tally.counts,
        "success_rate": round(tally.counts[JobStatus.SUCCEEDED.value] / finished, 4) if finished else None,
        "duration_seconds": {
            "average": _round(sum(durations) / len(durations)) if durations else None,
            "p50": _round(percentile(durations, 0.50)),
            "p95": _round(percentile(durations, 0.95)),
            "p99": _round(percentile(durations, 0.99)),
            "max": _round(durations[-1]) if durations else None,
        },
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
