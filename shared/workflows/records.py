"""Workflows as stored: the workflow (its current revision), every revision's YAML and definition, and the
state of each run: one row per run (the definition it runs) and one per task instance (a plain task, or
one item of a fan-out), holding the instance's status, its task attempt and the child job of that attempt.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JsonType, UTCDateTime, utcnow


class WorkflowRecord(Base):
    """A workflow; ``revision`` goes up by one on every change of its YAML."""

    __tablename__ = "workflows"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    task_count: Mapped[int] = mapped_column(Integer, default=0)
    source_yaml: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkflowRevision(Base):
    """One revision of a workflow: its YAML and validated definition."""

    __tablename__ = "workflow_revisions"
    __table_args__ = (UniqueConstraint("workflow_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workflow_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("workflows.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer)
    source_yaml: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkflowRunRecord(Base):
    """One run of a workflow, keyed by its job: the definition it runs (a snapshot), where it came from,
    and how many items each fan-out task was expanded to (absent: not expanded yet)."""

    __tablename__ = "workflow_runs"

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True
    )
    workflow_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    workflow_name: Mapped[str] = mapped_column(String(200))
    revision: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JsonType)
    resumed_from: Mapped[str | None] = mapped_column(String(36), nullable=True)
    fanout: Mapped[dict[str, Any]] = mapped_column(JsonType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class WorkflowTaskRunRecord(Base):
    """One task instance of a run. Its child job for task attempt ``attempt`` is written in the same
    transaction as a guarded move of ``attempt`` from n-1 to n, so each attempt has at most one child."""

    __tablename__ = "workflow_task_runs"

    job_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("workflow_runs.job_id", ondelete="CASCADE"), primary_key=True
    )
    task_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    item_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    item: Mapped[Any] = mapped_column(JsonType, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    child_job_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
