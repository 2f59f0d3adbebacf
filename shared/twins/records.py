"""Twins as stored: the twin (its current revision number), every revision's definition, scenarios and runs.

A definition is stored once, in its revision row; the twin row names the current revision. A run records
the revision it simulated and a snapshot of its scenario, its metrics and event log as JSON, and its
timeline as one compressed blob (``timeline.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from shared.db.base import Base, JsonType, UTCDateTime, utcnow


class TwinRecord(Base):
    """A twin; ``revision`` goes up by one on every change of its definition."""

    __tablename__ = "twins"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    model_type: Mapped[str] = mapped_column(String(200), default="organization")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    entity_count: Mapped[int] = mapped_column(Integer, default=0)
    relationship_count: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(String(40), default="json")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TwinRevision(Base):
    """One revision of a twin: its entities (with their state) and relationships."""

    __tablename__ = "twin_revisions"
    __table_args__ = (UniqueConstraint("twin_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    twin_id: Mapped[str] = mapped_column(String(36), ForeignKey("twins.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    definition: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TwinScenarioRecord(Base):
    """A stored scenario of a twin."""

    __tablename__ = "twin_scenarios"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    twin_id: Mapped[str] = mapped_column(String(36), ForeignKey("twins.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TwinRunRecord(Base):
    """A finished simulation of a twin revision (a what-if stores the changed twin's run with ``whatif``)."""

    __tablename__ = "twin_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    twin_id: Mapped[str] = mapped_column(String(36), ForeignKey("twins.id", ondelete="CASCADE"), index=True)
    twin_revision: Mapped[int] = mapped_column(Integer)
    scenario_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    scenario: Mapped[dict[str, Any]] = mapped_column(JsonType)
    job_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    kind: Mapped[str] = mapped_column(String(20), default="scenario")
    seed: Mapped[int] = mapped_column(BigInteger)
    duration: Mapped[int] = mapped_column(Integer)
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonType)
    event_log: Mapped[list[Any]] = mapped_column(JsonType)
    whatif: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    # Deferred: lists and details never need the blob; timeline reads load it by itself.
    timeline: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    timeline_bytes: Mapped[int] = mapped_column(Integer)
    simulation_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
