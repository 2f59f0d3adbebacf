"""Writing rows of observed state (``uri`` + fields) into a twin: how data keeps a twin in sync."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from shared.errors import Problem
from shared.twins.model import Twin
from shared.twins.validation import TwinValidationError, parse_state

STATE_FIELDS = ("status", "capacity", "utilization", "available", "metrics")


def apply_state_rows(twin: Twin, rows: list[dict[str, Any]], *, locations: list[str] | None = None) -> int:
    """Update the state of the entities named by each row's ``uri`` (fields not in a row keep their
    value, except that a new ``capacity`` without ``utilization`` keeps the load; ``metrics`` merge);
    every problem is located as ``rows[i].<field>`` (or under ``locations[i]``). Returns the count."""
    index = {e.uri: i for i, e in enumerate(twin.entities)}
    problems: list[Problem] = []
    updates = []
    for i, row in enumerate(rows):
        where = locations[i] if locations is not None else f"rows[{i}]"
        if not isinstance(row, dict):
            problems.append(Problem(where, "must be an object with 'uri' and state fields"))
            continue
        position = index.get(str(row.get("uri")))
        if position is None:
            problems.append(Problem(f"{where}.uri", f"no entity {row.get('uri')!r} in this twin"))
            continue
        fields = {k: v for k, v in row.items() if k != "uri"}
        unknown = sorted(set(fields) - set(STATE_FIELDS))
        for name in unknown:
            problems.append(Problem(f"{where}.{name}", f"not a state field ({', '.join(STATE_FIELDS)})"))
        entity = twin.entities[position]
        merged = entity.state.to_dict()
        merged.update({k: v for k, v in fields.items() if k in STATE_FIELDS and k != "metrics"})
        capacity = fields.get("capacity")
        if "utilization" not in fields and isinstance(capacity, int | float) and _is_positive(capacity):
            # A new capacity alone keeps the work the entity has: its utilization rescales.
            merged["utilization"] = entity.state.utilization * entity.state.capacity / capacity
        if isinstance(fields.get("metrics"), dict):
            merged["metrics"] = {**merged["metrics"], **fields["metrics"]}
        elif "metrics" in fields:
            merged["metrics"] = fields["metrics"]
        updates.append((position, parse_state(merged, where, problems)))
    if problems:
        raise TwinValidationError("state rows", problems)
    # Entities are replaced, not changed in place, so a shallow copy of a twin (what-if) is safe.
    for position, state in updates:
        twin.entities[position] = replace(twin.entities[position], state=state)
    return len(updates)


def _is_positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0
