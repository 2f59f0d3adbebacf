"""What-if: changes applied to a copy of a twin, and the difference between two runs' figures.

A change is one of:
- ``{"op": "set_capacity", "uri": ..., "capacity": 120}`` (the entity keeps its load: utilization rescales)
- ``{"op": "set_state", "uri": ..., "state": {"utilization": 0.4, "available": true, ...}}``
- ``{"op": "add_relationship", "source_uri", "target_uri", "type", "strength"}``
- ``{"op": "remove_relationship", "source_uri", "target_uri", "type"}`` (every matching one)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from shared.errors import Problem
from shared.twins.model import Relationship, Twin
from shared.twins.state import apply_state_rows
from shared.twins.validation import TwinValidationError

CHANGE_OPS = ("set_capacity", "set_state", "add_relationship", "remove_relationship")
MAX_CHANGES = 10_000
TOP_ENTITY_CHANGES = 20
_SUMMARY_FIGURES = (
    "stability_score",
    "average_utilization",
    "bottleneck_count",
    "bottleneck_entities",
    "disrupted_share",
)


@dataclass
class RunFigures:
    """What a difference needs from one run: its summary and per-entity arrays, by uri."""

    summary: dict[str, Any]
    uris: list[str]
    labels: list[str]
    average: np.ndarray
    peak: np.ndarray
    bottleneck_steps: np.ndarray


def apply_changes(twin: Twin, changes: list[dict[str, Any]]) -> Twin:
    """A copy of ``twin`` with ``changes`` applied; every problem is located as ``changes[i]...``."""
    if len(changes) > MAX_CHANGES:
        raise TwinValidationError("changes", [Problem("changes", f"more than {MAX_CHANGES} changes")])
    variant = Twin(
        twin.name, list(twin.entities), list(twin.relationships), twin.description, twin.model_type
    )
    uris = {e.uri for e in variant.entities}
    problems: list[Problem] = []
    rows: list[dict[str, Any]] = []
    locations: list[str] = []
    for i, change in enumerate(changes):
        where = f"changes[{i}]"
        op = change.get("op") if isinstance(change, dict) else None
        if op not in CHANGE_OPS:
            problems.append(Problem(f"{where}.op", f"must be one of {', '.join(CHANGE_OPS)}"))
            continue
        if op == "set_capacity":
            rows.append({"uri": change.get("uri"), "capacity": change.get("capacity")})
            locations.append(where)
        elif op == "set_state":
            state = change.get("state")
            rows.append({"uri": change.get("uri"), **(state if isinstance(state, dict) else {})})
            locations.append(where)
        else:
            _relationship_change(variant, change, op, uris, where, problems)
    try:
        apply_state_rows(variant, rows, locations=locations)
    except TwinValidationError as exc:
        problems.extend(exc.problems)
    if problems:
        raise TwinValidationError("changes", problems)
    return variant


def _relationship_change(
    twin: Twin, change: dict[str, Any], op: str, uris: set[str], where: str, problems: list[Problem]
) -> None:
    source, target, kind = change.get("source_uri"), change.get("target_uri"), change.get("type")
    for field, uri in (("source_uri", source), ("target_uri", target)):
        if uri not in uris:
            problems.append(Problem(f"{where}.{field}", f"no entity {uri!r} in this twin"))
    if not isinstance(kind, str) or not kind:
        problems.append(Problem(f"{where}.type", "required: the relationship type"))
        return
    if op == "remove_relationship":
        kept = [
            r
            for r in twin.relationships
            if not (r.source_uri == source and r.target_uri == target and r.type == kind)
        ]
        if len(kept) == len(twin.relationships):
            problems.append(Problem(where, f"no relationship {source} --{kind}--> {target} to remove"))
        twin.relationships = kept
        return
    strength = change.get("strength", 1.0)
    if isinstance(strength, bool) or not isinstance(strength, int | float) or not 0.0 <= strength <= 1.0:
        problems.append(Problem(f"{where}.strength", "must be a number in [0, 1]"))
        return
    if source in uris and target in uris:
        twin.relationships.append(Relationship(str(source), str(target), kind, float(strength)))


def difference(before: RunFigures, after: RunFigures) -> dict[str, Any]:
    """``after`` minus ``before``: the summary figures, the entities whose figures moved most (matched by
    uri), and the bottlenecks resolved and new."""
    out: dict[str, Any] = {
        name: _change(before.summary.get(name, 0), after.summary.get(name, 0)) for name in _SUMMARY_FIGURES
    }
    position = {uri: i for i, uri in enumerate(before.uris)}
    common_after = np.asarray([i for i, uri in enumerate(after.uris) if uri in position], dtype=np.int64)
    common_before = np.asarray([position[after.uris[i]] for i in common_after], dtype=np.int64)
    if len(common_after) == 0:
        out.update(entities=[], resolved_bottlenecks=[], new_bottlenecks=[])
        return out
    d_avg = after.average[common_after].astype(np.float64) - before.average[common_before]
    d_peak = after.peak[common_after].astype(np.float64) - before.peak[common_before]
    b_before = before.bottleneck_steps[common_before]
    b_after = after.bottleneck_steps[common_after]
    duration = max(int(after.summary.get("duration", 1)), 1)
    movement = np.abs(d_avg) + np.abs(d_peak) + np.abs(b_after - b_before) / duration
    moved = np.flatnonzero(movement > 1e-6)
    order = moved[np.lexsort((moved, -movement[moved]))][:TOP_ENTITY_CHANGES]
    out["entities"] = [
        {
            "uri": after.uris[common_after[k]],
            "label": after.labels[common_after[k]],
            "average_utilization": _change(
                float(before.average[common_before[k]]), float(after.average[common_after[k]])
            ),
            "peak_utilization": _change(
                float(before.peak[common_before[k]]), float(after.peak[common_after[k]])
            ),
            "bottleneck_steps": _change(int(b_before[k]), int(b_after[k])),
        }
        for k in order
    ]
    out["resolved_bottlenecks"] = [
        after.uris[common_after[k]] for k in np.flatnonzero((b_before > 0) & (b_after == 0))
    ]
    out["new_bottlenecks"] = [
        after.uris[common_after[k]] for k in np.flatnonzero((b_before == 0) & (b_after > 0))
    ]
    return out


def _change(before: float, after: float) -> dict[str, float]:
    if isinstance(before, int) and isinstance(after, int):
        return {"before": before, "after": after, "change": after - before}
    return {"before": round(before, 6), "after": round(after, 6), "change": round(after - before, 6)}
