"""Stored twins and their scenarios: create, change (a new revision each time), read, delete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shared.db.base import utcnow
from shared.db.engine import Database
from shared.errors import InvalidInput, NotFound
from shared.twins.model import Scenario, Twin
from shared.twins.records import TwinRecord, TwinRevision, TwinScenarioRecord
from shared.twins.state import apply_state_rows
from shared.twins.validation import parse_scenario, scenario_to_dict


@dataclass
class LoadedTwin:
    """A twin's row and its definition at one revision."""

    record: TwinRecord
    revision: int
    twin: Twin


def create_twin(db: Database, twin: Twin, *, source: str = "json") -> TwinRecord:
    """Store ``twin`` at revision 1."""
    now = utcnow()
    record = TwinRecord(
        id=str(uuid.uuid4()),
        name=twin.name,
        description=twin.description,
        model_type=twin.model_type,
        revision=1,
        entity_count=len(twin.entities),
        relationship_count=len(twin.relationships),
        source=source,
        created_at=now,
        updated_at=now,
    )
    with db.session() as session:
        session.add(record)
        session.flush()
        session.add(TwinRevision(twin_id=record.id, revision=1, definition=twin.definition(), created_at=now))
    return record


def update_twin(db: Database, twin_id: str, twin: Twin) -> TwinRecord:
    """Replace ``twin_id``'s definition; its revision goes up by one (runs keep the one they simulated)."""
    with db.session() as session:
        record = _locked(session, twin_id)
        _add_revision(session, record, twin)
    return record


def update_state(db: Database, twin_id: str, rows: list[dict[str, Any]]) -> TwinRecord:
    """Write ``rows`` (``uri`` + state fields) into the twin's current state, as a new revision.

    Read, change and write happen in one transaction holding the twin's row, so two syncs at once
    each build on the other's revision instead of one overwriting the other's rows."""
    with db.session() as session:
        record = _locked(session, twin_id)
        definition = session.execute(
            select(TwinRevision.definition).where(
                TwinRevision.twin_id == twin_id, TwinRevision.revision == record.revision
            )
        ).scalar_one()
        twin = Twin.from_stored(record.name, record.description, record.model_type, definition)
        apply_state_rows(twin, rows)
        _add_revision(session, record, twin)
    return record


def _locked(session: Session, twin_id: str) -> TwinRecord:
    record = session.get(TwinRecord, twin_id, with_for_update=True)
    if record is None:
        raise NotFound(f"twin {twin_id} not found")
    return record


def _add_revision(session: Session, record: TwinRecord, twin: Twin) -> None:
    record.name = twin.name
    record.description = twin.description
    record.model_type = twin.model_type
    record.entity_count = len(twin.entities)
    record.relationship_count = len(twin.relationships)
    record.revision += 1
    record.updated_at = utcnow()
    session.add(
        TwinRevision(
            twin_id=record.id,
            revision=record.revision,
            definition=twin.definition(),
            created_at=record.updated_at,
        )
    )


def delete_twin(db: Database, twin_id: str) -> None:
    """Delete a twin with its revisions, scenarios and runs."""
    with db.session() as session:
        record = session.get(TwinRecord, twin_id)
        if record is None:
            raise NotFound(f"twin {twin_id} not found")
        session.delete(record)


def get_twin(db: Database, twin_id: str) -> TwinRecord:
    """The twin with ``twin_id``; :class:`NotFound` when there is none."""
    with db.reads() as session:
        record = session.get(TwinRecord, twin_id)
    if record is None:
        raise NotFound(f"twin {twin_id} not found")
    return record


def list_twins(db: Database, *, limit: int, offset: int) -> tuple[list[TwinRecord], int]:
    """A page of twins by name, and how many there are."""
    with db.reads() as session:
        total = session.execute(select(func.count()).select_from(TwinRecord)).scalar_one()
        rows = session.execute(
            select(TwinRecord).order_by(TwinRecord.name, TwinRecord.id).limit(limit).offset(offset)
        ).scalars()
        return list(rows), int(total)


def load_twin(db: Database, twin_id: str, revision: int | None = None) -> LoadedTwin:
    """The twin's definition at ``revision`` (default: current)."""
    record = get_twin(db, twin_id)
    wanted = record.revision if revision is None else revision
    with db.reads() as session:
        definition = session.execute(
            select(TwinRevision.definition).where(
                TwinRevision.twin_id == twin_id, TwinRevision.revision == wanted
            )
        ).scalar_one_or_none()
    if definition is None:
        raise NotFound(f"twin {twin_id} has no revision {wanted}")
    twin = Twin.from_stored(record.name, record.description, record.model_type, definition)
    return LoadedTwin(record, wanted, twin)


def create_scenario(db: Database, twin_id: str, data: dict[str, Any]) -> TwinScenarioRecord:
    """Store a scenario for the twin, checked against its current revision."""
    scenario = parse_scenario(data, load_twin(db, twin_id).twin)
    record = TwinScenarioRecord(
        id=str(uuid.uuid4()),
        twin_id=twin_id,
        name=scenario.name,
        definition=scenario_to_dict(scenario),
        created_at=utcnow(),
    )
    with db.session() as session:
        session.add(record)
    return record


def list_scenarios(db: Database, twin_id: str) -> list[TwinScenarioRecord]:
    """The twin's scenarios, oldest first."""
    get_twin(db, twin_id)
    with db.reads() as session:
        rows = session.execute(
            select(TwinScenarioRecord)
            .where(TwinScenarioRecord.twin_id == twin_id)
            .order_by(TwinScenarioRecord.created_at, TwinScenarioRecord.id)
        ).scalars()
        return list(rows)


def get_scenario(db: Database, twin_id: str, scenario_id: str) -> TwinScenarioRecord:
    """The twin's scenario ``scenario_id``; :class:`NotFound` when there is none."""
    with db.reads() as session:
        record = session.get(TwinScenarioRecord, scenario_id)
    if record is None or record.twin_id != twin_id:
        raise NotFound(f"twin {twin_id} has no scenario {scenario_id}")
    return record


def scenario_for(db: Database, twin: Twin, twin_id: str, scenario_id: str | None, inline: Any) -> Scenario:
    """The scenario to run: the stored one named by ``scenario_id`` or ``inline`` (exactly one), checked
    against ``twin`` (a stored scenario may name entities a later revision removed)."""
    if (scenario_id is None) == (inline is None):
        raise InvalidInput("give exactly one of 'scenario_id' or 'scenario' (an inline scenario)")
    data = get_scenario(db, twin_id, scenario_id).definition if scenario_id is not None else inline
    return parse_scenario(data, twin)
