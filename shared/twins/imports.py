"""``POST /twins/import``: a twin from an ontology, from a finished pipeline job's output tables, or from
tables given inline, each with its builder; exactly one source per request."""

from __future__ import annotations

from typing import Any

from shared.db.engine import Database
from shared.errors import Conflict, InvalidInput, NotFound
from shared.jobs.records import JobRecord
from shared.twins.model import Twin
from shared.twins.rdf import twin_from_rdf
from shared.twins.records import TwinRecord
from shared.twins.service import create_twin
from shared.twins.tabular import twin_from_tables

SOURCES = ("ontology", "pipeline_output", "tables")


def import_twin(db: Database, body: dict[str, Any]) -> TwinRecord:
    """Build the twin the request describes and store it at revision 1."""
    given = [source for source in SOURCES if body.get(source) is not None]
    if len(given) != 1:
        raise InvalidInput(f"give exactly one of {', '.join(SOURCES)} (got {', '.join(given) or 'none'})")
    source = given[0]
    meta = {
        "description": body.get("description", ""),
        "model_type": body.get("model_type", "organization"),
    }
    twin: Twin
    if source == "ontology":
        twin = twin_from_rdf(
            body["ontology"], name=body["name"], rdf_format=body.get("format", "turtle"), **meta
        )
    else:
        if body.get("mapping") is None:
            raise InvalidInput.at(
                "mapping", "required with tables: which columns give uri, type, capacity..."
            )
        if source == "tables":
            entities, relationships = body["tables"]["entities"], body["tables"].get("relationships")
        else:
            entities, relationships = _job_tables(db, body["pipeline_output"])
        twin = twin_from_tables(body["name"], entities, relationships, body["mapping"], **meta)
    return create_twin(db, twin, source=source)


def _job_tables(db: Database, ref: dict[str, Any]) -> tuple[Any, Any]:
    with db.reads() as session:
        job = session.get(JobRecord, ref["job_id"])
    if job is None:
        raise NotFound(f"job {ref['job_id']} not found")
    if job.status != "succeeded":
        raise Conflict(f"job {job.id} is {job.status}; only a succeeded job's output can be imported")
    output = job.output_context or {}
    tables: list[Any] = []
    for field in ("entities_key", "relationships_key"):
        key = ref.get(field)
        if key is None:
            tables.append(None)
            continue
        if key not in output:
            known = ", ".join(sorted(output)) or "none"
            raise InvalidInput.at(f"pipeline_output.{field}", f"job {job.id} has no output {key!r} ({known})")
        tables.append(output[key])
    return tables[0], tables[1]
