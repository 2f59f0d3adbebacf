"""A twin from tables (a pipeline's output): which columns give which fields is the request's ``mapping``.

Mapping (every value a column name; only ``uri``, ``source_uri`` and ``target_uri`` are required):

    {"entities": {"uri": "id", "type": "kind", "label": "name", "capacity": "cap",
                  "utilization": "load", "status": "state", "available": "up",
                  "properties": ["region", "owner"], "metrics": ["cost"], "default_type": "entity"},
     "relationships": {"source_uri": "from", "target_uri": "to", "type": "rel",
                       "strength": "weight", "default_type": "depends_on"}}

Row i of the entities table becomes ``entities[i]`` and row j of the relationships table
``relationships[j]``, so a refusal (``entities[3].state.capacity: negative capacity -2``) names the row.
A table is ``{"columns": [...], "rows": [{...}]}`` or a list of row objects.
"""

from __future__ import annotations

from typing import Any

from shared.errors import InvalidInput, Problem
from shared.twins.model import Twin
from shared.twins.validation import TwinValidationError, parse_twin

ENTITY_FIELDS = ("uri", "type", "label", "capacity", "utilization", "status", "available")
ENTITY_LISTS = ("properties", "metrics")
RELATIONSHIP_FIELDS = ("source_uri", "target_uri", "type", "strength")
_STATE_FIELDS = ("capacity", "utilization", "status", "available")


def twin_from_tables(
    name: str,
    entities: Any,
    relationships: Any,
    mapping: dict[str, Any],
    *,
    description: str = "",
    model_type: str = "organization",
) -> Twin:
    """A checked twin from the two tables and the column mapping."""
    entity_map = _section(mapping, "entities", ENTITY_FIELDS, ENTITY_LISTS, required=("uri",))
    rel_map = _section(
        mapping, "relationships", RELATIONSHIP_FIELDS, (), required=("source_uri", "target_uri")
    )
    entity_rows = _rows(entities, "entities table")
    rel_rows = _rows(relationships, "relationships table") if relationships is not None else []
    _columns_exist(entity_rows, entity_map, "mapping.entities")
    _columns_exist(rel_rows, rel_map, "mapping.relationships")
    data = {
        "name": name,
        "description": description,
        "model_type": model_type,
        "entities": [_entity(row, entity_map) for row in entity_rows],
        "relationships": [_relationship(row, rel_map) for row in rel_rows],
    }
    return parse_twin(data)


def _entity(row: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    uri = row.get(mapping["uri"])
    entity: dict[str, Any] = {"uri": str(uri) if uri is not None else None}
    entity["type"] = (
        str(row.get(mapping["type"])) if "type" in mapping else mapping.get("default_type", "entity")
    )
    if "label" in mapping and row.get(mapping["label"]) is not None:
        entity["label"] = str(row[mapping["label"]])
    state = {
        f: row.get(mapping[f]) for f in _STATE_FIELDS if f in mapping and row.get(mapping[f]) is not None
    }
    state["metrics"] = {c: row.get(c) for c in mapping.get("metrics", []) if row.get(c) is not None}
    entity["state"] = state
    entity["properties"] = {c: row.get(c) for c in mapping.get("properties", [])}
    return entity


def _relationship(row: dict[str, Any], mapping: dict[str, Any]) -> dict[str, Any]:
    rel: dict[str, Any] = {
        "source_uri": _text_or_none(row.get(mapping["source_uri"])),
        "target_uri": _text_or_none(row.get(mapping["target_uri"])),
        "type": str(row.get(mapping["type"]))
        if "type" in mapping
        else mapping.get("default_type", "depends_on"),
    }
    if "strength" in mapping and row.get(mapping["strength"]) is not None:
        rel["strength"] = row[mapping["strength"]]
    return rel


def _section(
    mapping: dict[str, Any],
    key: str,
    fields: tuple[str, ...],
    lists: tuple[str, ...],
    *,
    required: tuple[str, ...],
) -> dict[str, Any]:
    section = mapping.get(key, {})
    where = f"mapping.{key}"
    problems: list[Problem] = []
    if not isinstance(section, dict):
        raise TwinValidationError("mapping", [Problem(where, "must be an object of field -> column")])
    for name, column in section.items():
        if name in fields:
            if not isinstance(column, str) or not column:
                problems.append(Problem(f"{where}.{name}", "must be a column name"))
        elif name in lists:
            if not isinstance(column, list) or not all(isinstance(c, str) for c in column):
                problems.append(Problem(f"{where}.{name}", "must be a list of column names"))
        elif name != "default_type":
            allowed = ", ".join((*fields, *lists, "default_type"))
            problems.append(Problem(f"{where}.{name}", f"unknown field (allowed: {allowed})"))
    for name in required:
        if name not in section:
            problems.append(Problem(f"{where}.{name}", "required: the column holding it"))
    if problems:
        raise TwinValidationError("mapping", problems)
    return section


def _rows(table: Any, what: str) -> list[dict[str, Any]]:
    rows = table.get("rows") if isinstance(table, dict) else table
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise InvalidInput.at(
            what, "not a table: expected {'columns': [...], 'rows': [{...}]} or a list of objects"
        )
    return rows


def _columns_exist(rows: list[dict[str, Any]], mapping: dict[str, Any], where: str) -> None:
    if not rows:
        return
    seen = set().union(*(r.keys() for r in rows[:1000]))
    problems = []
    for name, column in mapping.items():
        if name == "default_type":
            continue
        for col in column if isinstance(column, list) else [column]:
            if col not in seen:
                problems.append(Problem(f"{where}.{name}", f"no column {col!r} in the table"))
    if problems:
        raise TwinValidationError("mapping", problems)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
