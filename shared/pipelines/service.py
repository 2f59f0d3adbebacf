"""Stored pipelines: create, update (a new revision each time), clone, delete, history."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import Conflict, InvalidInput, NotFound
from shared.pipelines.model import PipelineDefinition
from shared.pipelines.records import PipelineRecord, PipelineRevision
from shared.pipelines.validation import load_single_pipeline, validate_definition
from shared.plugins.registry import PluginRegistry


def definition_from_body(
    registry: PluginRegistry, *, pipeline_yaml: str | None, pipeline: dict[str, Any] | None
) -> tuple[PipelineDefinition, str | None]:
    """``(definition, source YAML)`` from a request giving either YAML text or a pipeline object."""
    if (pipeline_yaml is None) == (pipeline is None):
        raise InvalidInput("give exactly one of 'pipeline_yaml' (YAML text) or 'pipeline' (an object)")
    if pipeline_yaml is not None:
        return load_single_pipeline(pipeline_yaml, registry), pipeline_yaml
    return validate_definition(pipeline, registry), None


def create_pipeline(db: Database, definition: PipelineDefinition, source_yaml: str | None) -> PipelineRecord:
    """Store a new pipeline at revision 1; :class:`Conflict` if the name is taken."""
    now = utcnow()
    record = PipelineRecord(
        id=str(uuid.uuid4()),
        name=definition.name,
        description=definition.description,
        enabled=definition.enabled,
        revision=1,
        definition=definition.to_dict(),
        source_yaml=source_yaml,
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session() as session:
            session.add(record)
            session.flush()
            session.add(_revision_of(record))
    except IntegrityError as exc:
        raise Conflict(f"a pipeline named {definition.name!r} already exists") from exc
    return record


def update_pipeline(
    db: Database, pipeline_id: str, definition: PipelineDefinition, source_yaml: str | None
) -> PipelineRecord:
    """Replace a pipeline's definition; its revision goes up by one and the old one stays in history."""
    try:
        with db.session() as session:
            record = session.get(PipelineRecord, pipeline_id)
            if record is None:
                raise NotFound(f"pipeline {pipeline_id} not found")
            record.name = definition.name
            record.description = definition.description
            record.enabled = definition.enabled
            record.definition = definition.to_dict()
            record.source_yaml = source_yaml
            record.revision += 1
            record.updated_at = utcnow()
            session.flush()
            session.add(_revision_of(record))
    except IntegrityError as exc:
        raise Conflict(f"a pipeline named {definition.name!r} already exists") from exc
    return record


def clone_pipeline(db: Database, pipeline_id: str, new_name: str | None) -> PipelineRecord:
    """A copy of a pipeline under a new name (default: ``<name> (copy)``), at revision 1."""
    source = get_pipeline(db, pipeline_id)
    data = dict(source.definition)
    data["name"] = new_name or f"{source.name} (copy)"
    return create_pipeline(db, PipelineDefinition.from_dict(data), None)


def delete_pipeline(db: Database, pipeline_id: str) -> None:
    """Delete a pipeline and its history (jobs that ran it keep their own snapshot)."""
    with db.session() as session:
        record = session.get(PipelineRecord, pipeline_id)
        if record is None:
            raise NotFound(f"pipeline {pipeline_id} not found")
        name = record.name
        session.delete(record)
        try:
            session.flush()
        except IntegrityError as exc:  # a schedule still targets it (foreign key RESTRICT)
            raise Conflict(
                f"pipeline {name!r} is the target of one or more schedules; delete those first"
            ) from exc


def get_pipeline(db: Database, pipeline_id: str) -> PipelineRecord:
    """The pipeline with ``pipeline_id``; :class:`NotFound` when there is none."""
    with db.reads() as session:
        record = session.get(PipelineRecord, pipeline_id)
    if record is None:
        raise NotFound(f"pipeline {pipeline_id} not found")
    return record


def get_pipeline_by_name(db: Database, name: str) -> PipelineRecord:
    """The pipeline called ``name``; :class:`NotFound` when there is none."""
    with db.reads() as session:
        record = session.execute(
            select(PipelineRecord).where(PipelineRecord.name == name)
        ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"no pipeline named {name!r}")
    return record


def list_pipelines(db: Database, *, limit: int, offset: int) -> tuple[list[PipelineRecord], int]:
    """A page of pipelines by name, and how many there are."""
    with db.reads() as session:
        total = session.execute(select(func.count()).select_from(PipelineRecord)).scalar_one()
        rows = (
            session.execute(select(PipelineRecord).order_by(PipelineRecord.name).limit(limit).offset(offset))
            .scalars()
            .all()
        )
    return list(rows), int(total)


def pipeline_history(db: Database, pipeline_id: str) -> list[PipelineRevision]:
    """Every revision of a pipeline, newest first."""
    get_pipeline(db, pipeline_id)
    with db.reads() as session:
        rows = (
            session.execute(
                select(PipelineRevision)
                .where(PipelineRevision.pipeline_id == pipeline_id)
                .order_by(PipelineRevision.revision.desc())
            )
            .scalars()
            .all()
        )
    return list(rows)


def _revision_of(record: PipelineRecord) -> PipelineRevision:
    return PipelineRevision(
        pipeline_id=record.id,
        revision=record.revision,
        name=record.name,
        definition=record.definition,
        source_yaml=record.source_yaml,
        created_at=record.updated_at,
    )
