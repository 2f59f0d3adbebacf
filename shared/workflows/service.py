"""Stored workflows: create, change (a new revision each time), read, list, delete."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import Conflict, NotFound
from shared.plugins.registry import PluginRegistry
from shared.workflows.model import WorkflowDefinition
from shared.workflows.records import WorkflowRecord, WorkflowRevision
from shared.workflows.validation import parse_workflow


def create_workflow(db: Database, registry: PluginRegistry, source_yaml: str) -> WorkflowRecord:
    """Store the workflow in ``source_yaml`` at revision 1 (its name must be new)."""
    definition = parse_workflow(source_yaml, registry)
    now = utcnow()
    record = WorkflowRecord(
        id=str(uuid.uuid4()),
        name=definition.name,
        description=definition.description,
        revision=1,
        task_count=len(definition.tasks),
        source_yaml=source_yaml,
        definition=definition.to_dict(),
        created_at=now,
        updated_at=now,
    )
    try:
        with db.session() as session:
            session.add(record)
            session.flush()
            session.add(_revision(record))
    except IntegrityError:
        raise Conflict(f"a workflow named {definition.name!r} already exists") from None
    return record


def update_workflow(
    db: Database, registry: PluginRegistry, workflow_id: str, source_yaml: str
) -> WorkflowRecord:
    """Replace the workflow's YAML; its revision goes up by one (runs keep the revision they ran)."""
    definition = parse_workflow(source_yaml, registry)
    try:
        with db.session() as session:
            record = session.get(WorkflowRecord, workflow_id, with_for_update=True)
            if record is None:
                raise NotFound(f"workflow {workflow_id} not found")
            record.name = definition.name
            record.description = definition.description
            record.task_count = len(definition.tasks)
            record.source_yaml = source_yaml
            record.definition = definition.to_dict()
            record.revision += 1
            record.updated_at = utcnow()
            session.add(_revision(record))
    except IntegrityError:
        raise Conflict(f"a workflow named {definition.name!r} already exists") from None
    return record


def _revision(record: WorkflowRecord) -> WorkflowRevision:
    return WorkflowRevision(
        workflow_id=record.id,
        revision=record.revision,
        source_yaml=record.source_yaml,
        definition=record.definition,
        created_at=record.updated_at,
    )


def delete_workflow(db: Database, workflow_id: str) -> None:
    """Delete a workflow and its revisions (its runs stay, as jobs do)."""
    with db.session() as session:
        record = session.get(WorkflowRecord, workflow_id)
        if record is None:
            raise NotFound(f"workflow {workflow_id} not found")
        session.delete(record)


def get_workflow(db: Database, workflow_id: str) -> WorkflowRecord:
    """The workflow with ``workflow_id``; :class:`NotFound` when there is none."""
    with db.reads() as session:
        record = session.get(WorkflowRecord, workflow_id)
    if record is None:
        raise NotFound(f"workflow {workflow_id} not found")
    return record


def find_workflow(db: Database, *, workflow_id: str | None = None, name: str | None = None) -> WorkflowRecord:
    """The workflow by id, else by name."""
    if workflow_id is not None:
        return get_workflow(db, workflow_id)
    with db.reads() as session:
        record = session.execute(
            select(WorkflowRecord).where(WorkflowRecord.name == name)
        ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"workflow {name!r} not found")
    return record


def list_workflows(db: Database, *, limit: int, offset: int) -> tuple[list[WorkflowRecord], int]:
    """A page of workflows by name, and how many there are."""
    with db.reads() as session:
        total = session.execute(select(func.count()).select_from(WorkflowRecord)).scalar_one()
        rows = session.execute(
            select(WorkflowRecord)
            .order_by(WorkflowRecord.name, WorkflowRecord.id)
            .limit(limit)
            .offset(offset)
        ).scalars()
        return list(rows), int(total)


def definition_at(db: Database, workflow_id: str, revision: int | None) -> tuple[int, WorkflowDefinition]:
    """The workflow's definition at ``revision`` (default: current) and that revision's number."""
    record = get_workflow(db, workflow_id)
    wanted = record.revision if revision is None else revision
    with db.reads() as session:
        raw = session.execute(
            select(WorkflowRevision.definition).where(
                WorkflowRevision.workflow_id == workflow_id, WorkflowRevision.revision == wanted
            )
        ).scalar_one_or_none()
    if raw is None:
        raise NotFound(f"workflow {workflow_id} has no revision {wanted}")
    return wanted, WorkflowDefinition.from_dict(raw)


def revisions(db: Database, workflow_id: str) -> list[WorkflowRevision]:
    """Every revision of the workflow, newest first."""
    get_workflow(db, workflow_id)
    with db.reads() as session:
        return list(
            session.execute(
                select(WorkflowRevision)
                .where(WorkflowRevision.workflow_id == workflow_id)
                .order_by(WorkflowRevision.revision.desc())
            ).scalars()
        )
