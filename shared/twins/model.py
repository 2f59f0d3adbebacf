"""What a digital twin is made of: entities with a state, relationships between them, and scenarios of
events to simulate against it. Plain dataclasses; parsing and checking live in ``validation.py``."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

MODEL_TYPES = ("organization", "department", "process", "supply_chain")


class EntityStatus(StrEnum):
    """An entity's status, in the state and in each step of a run (the timeline stores ``code``)."""

    OPERATIONAL = "operational"
    DEGRADED = "degraded"
    BOTTLENECK = "bottleneck"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"

    @property
    def code(self) -> int:
        """The small integer a timeline stores for this status."""
        return STATUS_CODES[self]


STATUS_CODES = {status: index for index, status in enumerate(EntityStatus)}
STATUS_BY_CODE = list(EntityStatus)


@dataclass
class EntityState:
    """How an entity stands: ``utilization`` is the share of ``capacity`` in use (1.0 = full)."""

    status: EntityStatus = EntityStatus.OPERATIONAL
    capacity: float = 1.0
    utilization: float = 0.0
    available: bool = True
    metrics: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "capacity": self.capacity,
            "utilization": self.utilization,
            "available": self.available,
            "metrics": dict(self.metrics),
        }


@dataclass
class Entity:
    """A person, team, machine, supplier...: ``uri`` is unique in its twin."""

    uri: str
    type: str
    label: str
    properties: dict[str, Any] = field(default_factory=dict)
    state: EntityState = field(default_factory=EntityState)

    def to_dict(self) -> dict[str, Any]:
        return {
            "uri": self.uri,
            "type": self.type,
            "label": self.label,
            "properties": self.properties,
            "state": self.state.to_dict(),
        }


@dataclass(frozen=True)
class Relationship:
    """``source_uri --type--> target_uri`` with a ``strength`` in 0..1 that attenuates what flows along it."""

    source_uri: str
    target_uri: str
    type: str
    strength: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_uri": self.source_uri,
            "target_uri": self.target_uri,
            "type": self.type,
            "strength": self.strength,
        }


@dataclass
class Twin:
    """A twin's definition at one revision: its entities (with their base state) and relationships."""

    name: str
    entities: list[Entity]
    relationships: list[Relationship]
    description: str = ""
    model_type: str = "organization"

    def definition(self) -> dict[str, Any]:
        """The stored form of the entities and relationships."""
        return {
            "entities": [e.to_dict() for e in self.entities],
            "relationships": [r.to_dict() for r in self.relationships],
        }

    @classmethod
    def from_stored(cls, name: str, description: str, model_type: str, definition: dict[str, Any]) -> Twin:
        """A twin from a stored definition (validated when it was stored, so not checked again)."""
        entities = [
            Entity(
                uri=e["uri"],
                type=e["type"],
                label=e["label"],
                properties=e.get("properties", {}),
                state=EntityState(
                    status=EntityStatus(e["state"]["status"]),
                    capacity=e["state"]["capacity"],
                    utilization=e["state"]["utilization"],
                    available=e["state"]["available"],
                    metrics=e["state"].get("metrics", {}),
                ),
            )
            for e in definition["entities"]
        ]
        relationships = [
            Relationship(r["source_uri"], r["target_uri"], r["type"], r["strength"])
            for r in definition["relationships"]
        ]
        return cls(name, entities, relationships, description, model_type)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "model_type": self.model_type,
            **self.definition(),
        }


@dataclass(frozen=True)
class Propagation:
    """How an event's effect spreads: along ``relationship_types`` (all when empty), multiplied by
    ``impact_multiplier`` and the relationship's strength at each hop, ``delay`` steps per hop, at most
    ``max_depth`` hops."""

    relationship_types: tuple[str, ...] = ()
    impact_multiplier: float = 0.5
    delay: int = 1
    max_depth: int = 0


@dataclass(frozen=True)
class Impact:
    """How hard an event hits (``severity`` in 0..1) and how it spreads."""

    severity: float = 1.0
    propagation: Propagation = field(default_factory=Propagation)


@dataclass(frozen=True)
class Event:
    """Something that happens at ``step`` to the entity ``target_uri`` or to every entity of ``target_type``.

    ``duration`` (steps), when given, undoes the event's effects that many steps later; ``probability``
    below 1 makes the event happen or not by the scenario's seed.
    """

    type: str
    step: int
    target_uri: str | None = None
    target_type: str | None = None
    parameters: dict[str, Any] = field(default_factory=dict)
    impact: Impact = field(default_factory=Impact)
    duration: int | None = None
    probability: float = 1.0


@dataclass(frozen=True)
class Scenario:
    """Events to simulate over ``duration`` steps; ``seed`` fixes every random draw (demand noise,
    event probabilities), so a revision + scenario + seed always gives the same run."""

    name: str
    duration: int
    events: tuple[Event, ...] = ()
    seed: int = 0
    scenario_type: str = "custom"
    demand_noise: float = 0.0
    description: str = ""
