"""Small twins and scenarios for the tests, written as the JSON a client would send."""

from __future__ import annotations

from typing import Any

from shared.twins.model import Scenario, Twin
from shared.twins.validation import parse_scenario, parse_twin


def entity(uri: str, capacity: float, utilization: float, kind: str = "unit", **state: Any) -> dict[str, Any]:
    return {"uri": uri, "type": kind, "state": {"capacity": capacity, "utilization": utilization, **state}}


def link(source: str, target: str, kind: str = "supplies", strength: float = 1.0) -> dict[str, Any]:
    return {"source_uri": source, "target_uri": target, "type": kind, "strength": strength}


def twin(*entities: dict[str, Any], links: tuple[dict[str, Any], ...] = ()) -> Twin:
    return parse_twin({"name": "t", "entities": list(entities), "relationships": list(links)})


def event(
    kind: str,
    target: str,
    step: int,
    *,
    severity: float = 1.0,
    parameters: dict[str, Any] | None = None,
    spread: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "step": step, "impact": {"severity": severity}, **extra}
    if target.startswith("type:"):
        out["target_type"] = target[5:]
    else:
        out["target_uri"] = target
    if parameters:
        out["parameters"] = parameters
    if spread:
        out["impact"]["propagation"] = spread
    return out


def scenario(model: Twin, duration: int, *events: dict[str, Any], **extra: Any) -> Scenario:
    return parse_scenario({"name": "s", "duration": duration, "events": list(events), **extra}, model)


def chain() -> Twin:
    """Supplier S -> factory F -> shop H (supplies), S->F at strength 0.5."""
    return twin(
        entity("S", 100, 0.5),
        entity("F", 100, 0.8),
        entity("H", 50, 0.6),
        links=(link("S", "F", strength=0.5), link("F", "H")),
    )


ONE_HOP = {"relationship_types": ["supplies"], "impact_multiplier": 0.5, "delay": 1, "max_depth": 2}
