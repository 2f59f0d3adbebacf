"""Twins and scenarios from JSON-shaped data, checked; every refusal names the offending item and where it
is (``relationships[3].target_uri: no entity 'urn:x'``), all problems at once."""

from __future__ import annotations

import math
from typing import Any

from shared.errors import ErrorKind, InvalidInput, Problem
from shared.twins import limits
from shared.twins.events import check_event_parameters
from shared.twins.model import (
    Entity,
    EntityState,
    EntityStatus,
    Event,
    Impact,
    Propagation,
    Relationship,
    Scenario,
    Twin,
)

MAX_URI = 2000
MAX_NAME = 200
_STATUSES = [s.value for s in EntityStatus]


class TwinValidationError(InvalidInput):
    """A twin or a scenario has one or more problems; all are listed."""

    kind = ErrorKind.INVALID_DEFINITION

    def __init__(self, what: str, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(
            f"{what} is invalid: {len(problems)} problem(s): {shown}{more}",
            errors=[{"location": p.location, "message": p.message} for p in problems[:1000]],
        )


class _Problems(list[Problem]):
    def add(self, location: str, message: str) -> None:
        self.append(Problem(location, message))


class _Collector(_Problems):
    """Adds to a caller's plain list."""

    def __init__(self, target: list[Problem]) -> None:
        super().__init__()
        self._target = target

    def add(self, location: str, message: str) -> None:
        self._target.append(Problem(location, message))


def parse_twin(data: Any) -> Twin:
    """A checked :class:`Twin` from ``{"name", "description", "model_type", "entities", "relationships"}``."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise TwinValidationError("twin", [Problem("twin", "must be an object")])
    _unknown(data, {"name", "description", "model_type", "entities", "relationships"}, "twin", problems)
    name = _text(data.get("name"), "name", problems, required=True)
    entities = [
        _entity(item, f"entities[{i}]", problems) for i, item in enumerate(_list(data, "entities", problems))
    ]
    if len(entities) > limits.MAX_ENTITIES:
        problems.add("entities", f"{len(entities)} entities, over the cap of {limits.MAX_ENTITIES}")
    first_at: dict[str, int] = {}
    for i, entity in enumerate(entities):
        if entity.uri in first_at:
            problems.add(
                f"entities[{i}].uri",
                f"duplicate uri {entity.uri!r} (first at entities[{first_at[entity.uri]}])",
            )
        elif entity.uri:
            first_at[entity.uri] = i
    raw_relationships = _list(data, "relationships", problems)
    if len(raw_relationships) > limits.MAX_RELATIONSHIPS:
        problems.add(
            "relationships",
            f"{len(raw_relationships)} relationships, over the cap of {limits.MAX_RELATIONSHIPS}",
        )
    relationships = [
        _relationship(item, f"relationships[{i}]", first_at, problems)
        for i, item in enumerate(raw_relationships)
    ]
    description = _text(data.get("description", ""), "description", problems, limit=10_000)
    model_type = _text(data.get("model_type", "organization"), "model_type", problems) or "organization"
    if problems:
        raise TwinValidationError("twin", problems)
    return Twin(name, entities, relationships, description, model_type)


def parse_scenario(data: Any, twin: Twin) -> Scenario:
    """A checked :class:`Scenario` for ``twin``: event targets must exist in it."""
    problems = _Problems()
    if not isinstance(data, dict):
        raise TwinValidationError("scenario", [Problem("scenario", "must be an object")])
    duration = _integer(data.get("duration"), "duration", problems, 1, limits.MAX_DURATION, required=True)
    seed = _integer(data.get("seed", 0), "seed", problems, 0, 2**63 - 1)
    noise = _number(data.get("demand_noise", 0.0), "demand_noise", problems, 0.0, 10.0)
    raw_events = _list(data, "events", problems)
    if len(raw_events) > limits.MAX_EVENTS:
        problems.add("events", f"{len(raw_events)} events, over the cap of {limits.MAX_EVENTS}")
    uris = {e.uri for e in twin.entities}
    types = {e.type for e in twin.entities}
    events = tuple(
        _event(item, f"events[{i}]", duration or limits.MAX_DURATION, uris, types, problems)
        for i, item in enumerate(raw_events[: limits.MAX_EVENTS])
    )
    name = _text(data.get("name"), "name", problems, required=True)
    scenario_type = _text(data.get("scenario_type", "custom"), "scenario_type", problems) or "custom"
    description = _text(data.get("description", ""), "description", problems, limit=10_000)
    _unknown(
        data,
        {"name", "description", "scenario_type", "duration", "seed", "demand_noise", "events"},
        "scenario",
        problems,
    )
    if problems:
        raise TwinValidationError("scenario", problems)
    return Scenario(name, duration, events, seed, scenario_type, noise, description)


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The stored (and accepted) form of a scenario."""
    return {
        "name": scenario.name,
        "description": scenario.description,
        "scenario_type": scenario.scenario_type,
        "duration": scenario.duration,
        "seed": scenario.seed,
        "demand_noise": scenario.demand_noise,
        "events": [_event_to_dict(e) for e in scenario.events],
    }


def _event_to_dict(event: Event) -> dict[str, Any]:
    rules = event.impact.propagation
    out: dict[str, Any] = {
        "type": event.type,
        "step": event.step,
        "parameters": dict(event.parameters),
        "impact": {
            "severity": event.impact.severity,
            "propagation": {
                "relationship_types": list(rules.relationship_types),
                "impact_multiplier": rules.impact_multiplier,
                "delay": rules.delay,
                "max_depth": rules.max_depth,
            },
        },
        "probability": event.probability,
    }
    if event.target_uri is not None:
        out["target_uri"] = event.target_uri
    if event.target_type is not None:
        out["target_type"] = event.target_type
    if event.duration is not None:
        out["duration"] = event.duration
    return out


def _entity(item: Any, where: str, problems: _Problems) -> Entity:
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return Entity(uri="", type="", label="")
    _unknown(item, {"uri", "type", "label", "properties", "state"}, where, problems)
    uri = _text(item.get("uri"), f"{where}.uri", problems, required=True, limit=MAX_URI)
    properties = item.get("properties", {})
    if not isinstance(properties, dict):
        problems.add(f"{where}.properties", "must be an object")
        properties = {}
    return Entity(
        uri=uri,
        type=_text(item.get("type", "entity"), f"{where}.type", problems) or "entity",
        label=_text(item.get("label", uri), f"{where}.label", problems, limit=MAX_URI) or uri,
        properties=properties,
        state=parse_state(item.get("state", {}), f"{where}.state", problems),
    )


def parse_state(item: Any, where: str, problems: list[Problem]) -> EntityState:
    """An entity state from ``item``; problems are added to ``problems`` located under ``where``."""
    problems = problems if isinstance(problems, _Problems) else _Collector(problems)
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return EntityState()
    _unknown(item, {"status", "capacity", "utilization", "available", "metrics"}, where, problems)
    status = item.get("status", "operational")
    if status not in _STATUSES:
        problems.add(f"{where}.status", f"must be one of {', '.join(_STATUSES)}")
        status = "operational"
    capacity = _number(
        item.get("capacity", 1.0), f"{where}.capacity", problems, 0.0, 1e15, negative="capacity"
    )
    utilization = _number(item.get("utilization", 0.0), f"{where}.utilization", problems, 0.0, 1e6)
    available = item.get("available", True)
    if not isinstance(available, bool):
        problems.add(f"{where}.available", "must be true or false")
        available = True
    metrics = item.get("metrics", {})
    if not isinstance(metrics, dict):
        problems.add(f"{where}.metrics", "must be an object of numbers")
        metrics = {}
    clean = {str(k): _number(v, f"{where}.metrics.{k}", problems, -1e15, 1e15) for k, v in metrics.items()}
    return EntityState(EntityStatus(status), capacity, utilization, available, clean)


def _relationship(item: Any, where: str, entities: dict[str, int], problems: _Problems) -> Relationship:
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return Relationship("", "", "")
    _unknown(item, {"source_uri", "target_uri", "type", "strength"}, where, problems)
    ends = []
    for end in ("source_uri", "target_uri"):
        uri = _text(item.get(end), f"{where}.{end}", problems, required=True, limit=MAX_URI)
        if uri and uri not in entities:
            problems.add(f"{where}.{end}", f"no entity {uri!r} in this twin")
        ends.append(uri)
    kind = _text(item.get("type"), f"{where}.type", problems, required=True)
    strength = _number(item.get("strength", 1.0), f"{where}.strength", problems, 0.0, 1.0)
    return Relationship(ends[0], ends[1], kind, strength)


def _event(
    item: Any, where: str, duration: int, uris: set[str], types: set[str], problems: _Problems
) -> Event:
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return Event(type="", step=0)
    allowed = {"type", "step", "target_uri", "target_type", "parameters", "impact", "duration", "probability"}
    _unknown(item, allowed, where, problems)
    target_uri, target_type = item.get("target_uri"), item.get("target_type")
    if (target_uri is None) == (target_type is None):
        problems.add(where, "give exactly one of target_uri or target_type")
    elif target_uri is not None and target_uri not in uris:
        problems.add(f"{where}.target_uri", f"no entity {target_uri!r} in this twin")
    elif target_type is not None and target_type not in types:
        problems.add(f"{where}.target_type", f"no entity of type {target_type!r} in this twin")
    parameters = item.get("parameters", {})
    if not isinstance(parameters, dict):
        problems.add(f"{where}.parameters", "must be an object")
        parameters = {}
    raw_duration = item.get("duration")
    event = Event(
        type=str(item.get("type")),
        step=_integer(item.get("step"), f"{where}.step", problems, 0, duration - 1, required=True),
        target_uri=str(target_uri) if target_uri is not None else None,
        target_type=str(target_type) if target_type is not None else None,
        parameters=parameters,
        impact=_impact(item.get("impact", {}), f"{where}.impact", duration, problems),
        duration=None
        if raw_duration is None
        else _integer(raw_duration, f"{where}.duration", problems, 1, limits.MAX_DURATION),
        probability=_number(item.get("probability", 1.0), f"{where}.probability", problems, 0.0, 1.0),
    )
    problems.extend(check_event_parameters(event, where))
    return event


def _impact(item: Any, where: str, duration: int, problems: _Problems) -> Impact:
    if not isinstance(item, dict):
        problems.add(where, "must be an object")
        return Impact()
    _unknown(item, {"severity", "propagation"}, where, problems)
    rules = item.get("propagation", {})
    severity = _number(item.get("severity", 1.0), f"{where}.severity", problems, 0.0, 1.0)
    if not isinstance(rules, dict):
        problems.add(f"{where}.propagation", "must be an object")
        return Impact(severity)
    at = f"{where}.propagation"
    _unknown(rules, {"relationship_types", "impact_multiplier", "delay", "max_depth"}, at, problems)
    types = rules.get("relationship_types", [])
    if not isinstance(types, list) or not all(isinstance(t, str) and t for t in types):
        problems.add(f"{at}.relationship_types", "must be a list of relationship type names")
        types = []
    return Impact(
        severity,
        Propagation(
            relationship_types=tuple(types),
            impact_multiplier=_number(
                rules.get("impact_multiplier", 0.5), f"{at}.impact_multiplier", problems, 0.0, 1.0
            ),
            delay=_integer(rules.get("delay", 1), f"{at}.delay", problems, 0, duration),
            max_depth=_integer(
                rules.get("max_depth", 0), f"{at}.max_depth", problems, 0, limits.MAX_PROPAGATION_DEPTH
            ),
        ),
    )


def _unknown(item: dict[str, Any], allowed: set[str], where: str, problems: _Problems) -> None:
    for key in item:
        if key not in allowed:
            problems.add(f"{where}.{key}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


def _list(data: dict[str, Any], key: str, problems: _Problems) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.add(key, "must be a list")
        return []
    return value


def _text(
    value: Any, where: str, problems: _Problems, *, required: bool = False, limit: int = MAX_NAME
) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problems.add(where, "required: a non-empty string" if required else "must be a string")
        return ""
    if len(value) > limit:
        problems.add(where, f"longer than {limit} characters")
    return value


def _number(
    value: Any, where: str, problems: _Problems, low: float, high: float, *, negative: str | None = None
) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.add(where, "must be a finite number")
        return max(low, 0.0)
    if negative and value < 0:
        problems.add(where, f"negative {negative} {value:g}; {negative} must be 0 or more")
        return 0.0
    if not low <= value <= high:
        problems.add(where, f"{value:g} is out of range [{low:g}, {high:g}]")
        return max(low, min(high, float(value)))
    return float(value)


def _integer(
    value: Any, where: str, problems: _Problems, low: int, high: int, *, required: bool = False
) -> int:
    if value is None and required:
        problems.add(where, "required: an integer")
        return low
    if isinstance(value, bool) or not isinstance(value, int):
        problems.add(where, "must be an integer")
        return low
    if not low <= value <= high:
        cap = " (the documented cap)" if high in (limits.MAX_DURATION, limits.MAX_EVENTS) else ""
        problems.add(where, f"{value} is out of range [{low}, {high}]{cap}")
        return max(low, min(high, value))
    return value
