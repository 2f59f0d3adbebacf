"""Schedule tables: the schedules, and one row per fired (or skipped) slot, unique per schedule and time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JsonType, UTCDateTime, utcnow


class ScheduleRecord(Base):
    """A cron schedule that creates a job of ``target_kind`` with an input context: for a pipeline, the stored
    pipeline ``pipeline_id`` at its revision of the moment; for another kind, ``target_spec`` as given."""

    __tablename__ = "schedules"
    __table_args__ = (Index("ix_schedules_enabled_next_run", "enabled", "next_run"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(String(2000), default="")
    target_kind: Mapped[str] = mapped_column(String(32), default="pipeline", server_default="pipeline")
    target_spec: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    pipeline_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("pipelines.id", ondelete="RESTRICT"), nullable=True
    )
    context: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    cron_expr: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True)
    catchup: Mapped[str] = mapped_column(String(8), default="none")
    catchup_window_seconds: Mapped[int] = mapped_column(Integer, default=86400)
    overlap: Mapped[str] = mapped_column(String(8), default="allow")
    next_run: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    deferred_slot: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_run: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ScheduleFireRecord(Base):
    """One slot of a schedule that was acted on. The primary key is the fire's identity: a slot fires once."""

    __tablename__ = "schedule_fires"

    schedule_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("schedules.id", ondelete="CASCADE"), primary_key=True
    )
    slot: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))  # fired | skipped
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
