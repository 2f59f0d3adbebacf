"""The event types a scenario may use, each with exactly what it does to the state.

The engine keeps, per entity, a few additive *channels*; every event adds to some of them at its step, and
its propagation adds to the same channel on the entities it reaches, later (see ``propagation.py``):

- ``loss``: share of capacity lost (clipped to 0..1 when used);
- ``cap_log``: log of the capacity factor (a factor of 1.5 adds log 1.5);
- ``demand``: change of demand as a share of the base load (+0.5 = half as much load again);
- ``demand_log``: log of a demand factor (policies);
- ``down`` / ``failed``: how many open events hold the entity unavailable / failed;
- ``metric:<name>``: the entity's free-form metric ``name``.

Each step the engine derives: effective capacity = capacity x exp(cap_log) x (1 - loss), or 0 while
``down`` or ``failed``; load = base load x max(1 + demand, 0) x exp(demand_log) (x noise); utilization =
min(load / effective capacity, 1). See :data:`EVENT_TYPES` for each type.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from shared.errors import Problem
from shared.twins.model import Event

LOSS = "loss"
CAP_LOG = "cap_log"
DEMAND = "demand"
DEMAND_LOG = "demand_log"
DOWN = "down"
FAILED = "failed"
BASE_CHANNELS = (LOSS, CAP_LOG, DEMAND, DEMAND_LOG, DOWN, FAILED)


def metric_channel(name: str) -> str:
    """The channel holding the free-form metric ``name``."""
    return f"metric:{name}"


@dataclass(frozen=True)
class Param:
    """A numeric parameter of an event type: its default (None = required) and its open/closed bounds."""

    default: float | None
    minimum: float
    maximum: float
    exclusive_minimum: bool = False


@dataclass(frozen=True)
class Effect:
    """What an event adds at its target (``direct``: channel -> amount) and what it propagates
    (``spread``: channel and amount at the target before the first hop; None = nothing spreads)."""

    direct: dict[str, float] = field(default_factory=dict)
    spread: tuple[str, float] | None = None


@dataclass(frozen=True)
class EventType:
    """One event type: what it means, its parameters, and how it turns into an :class:`Effect`.

    ``restores``: a type whose open events this one reverses (effects and propagation) on its targets.
    """

    name: str
    description: str
    effect: Callable[[Event], Effect]
    parameters: dict[str, Param] = field(default_factory=dict)
    restores: str | None = None
    propagates: bool = True


def _param(event: Event, name: str, default: float | None = None) -> float:
    value = event.parameters.get(name, default)
    return float(value if value is not None else event.impact.severity)


def _capacity_change(event: Event) -> Effect:
    factor = _param(event, "factor")
    spread = (LOSS, 1.0 - factor) if factor < 1.0 else None
    return Effect({CAP_LOG: math.log(factor)}, spread)


def _policy_change(event: Event) -> Effect:
    return Effect(
        {
            CAP_LOG: math.log(_param(event, "capacity_factor", 1.0)),
            DEMAND_LOG: math.log(_param(event, "demand_factor", 1.0)),
        }
    )


def _metric_shock(event: Event) -> Effect:
    channel = metric_channel(str(event.parameters["metric"]))
    delta = _param(event, "delta")
    return Effect({channel: delta}, (channel, delta))


_SEVERITY_DEFAULT = "defaults to the event's impact severity"
_FACTOR = Param(None, 0.0, 1000.0, exclusive_minimum=True)

EVENT_TYPES: dict[str, EventType] = {
    t.name: t
    for t in (
        EventType(
            "resource_unavailable",
            "The target becomes unavailable (effective capacity 0, status 'unavailable', utilization 0). "
            "Propagates a capacity loss of `severity` to the entities that rely on it.",
            lambda e: Effect({DOWN: 1.0}, (LOSS, e.impact.severity)),
        ),
        EventType(
            "resource_restored",
            "Reverses every still-open resource_unavailable event on the target: it is available again, "
            "and the loss it propagated is lifted hop by hop with the same delays.",
            lambda e: Effect(),
            restores="resource_unavailable",
            propagates=False,
        ),
        EventType(
            "demand_surge",
            "The target's demand rises by `increase` (a share of its base load; "
            f"{_SEVERITY_DEFAULT}); the same rise propagates.",
            lambda e: Effect({DEMAND: _param(e, "increase")}, (DEMAND, _param(e, "increase"))),
            {"increase": Param(None, 0.0, 1000.0)},
        ),
        EventType(
            "demand_drop",
            "The target's demand falls by `decrease` (a share of its base load, load never below 0; "
            f"{_SEVERITY_DEFAULT}); the same fall propagates.",
            lambda e: Effect({DEMAND: -_param(e, "decrease")}, (DEMAND, -_param(e, "decrease"))),
            {"decrease": Param(None, 0.0, 1000.0)},
        ),
        EventType(
            "capacity_change",
            "The target's capacity is multiplied by `factor` (> 0; 1.5 = +50%). A cut (factor < 1) "
            "propagates a capacity loss of 1 - factor; a rise propagates nothing.",
            _capacity_change,
            {"factor": _FACTOR},
        ),
        EventType(
            "process_failure",
            "The target fails (effective capacity 0, status 'failed', utilization 0). Propagates a "
            "capacity loss of `severity`.",
            lambda e: Effect({FAILED: 1.0}, (LOSS, e.impact.severity)),
        ),
        EventType(
            "process_recovery",
            "Reverses every still-open process_failure event on the target, with its propagation.",
            lambda e: Effect(),
            restores="process_failure",
            propagates=False,
        ),
        EventType(
            "policy_change",
            "Multiplies the capacity of the targets by `capacity_factor` and their demand by "
            "`demand_factor` (both > 0, default 1); usually aimed at an entity type. Does not propagate.",
            _policy_change,
            {
                "capacity_factor": Param(1.0, 0.0, 1000.0, True),
                "demand_factor": Param(1.0, 0.0, 1000.0, True),
            },
            propagates=False,
        ),
        EventType(
            "supply_disruption",
            "The target loses `severity` of its capacity (its inputs are cut) and the same loss "
            "propagates (typically along `supplies`).",
            lambda e: Effect({LOSS: e.impact.severity}, (LOSS, e.impact.severity)),
        ),
        EventType(
            "metric_shock",
            "Adds `delta` to the target's metric `metric` (a name); the same delta propagates.",
            _metric_shock,
            {"delta": Param(None, -1e12, 1e12)},
        ),
    )
}


def check_event_parameters(event: Event, where: str) -> list[Problem]:
    """Problems with ``event``'s type and parameters, located under ``where``."""
    kind = EVENT_TYPES.get(event.type)
    if kind is None:
        known = ", ".join(EVENT_TYPES)
        return [Problem(f"{where}.type", f"unknown event type {event.type!r} (known: {known})")]
    problems: list[Problem] = []
    allowed = set(kind.parameters) | ({"metric"} if kind.name == "metric_shock" else set())
    for name, value in event.parameters.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed)) or "none"
            problems.append(
                Problem(f"{where}.parameters.{name}", f"not a parameter of {kind.name} ({known})")
            )
            continue
        if name == "metric":
            continue
        problems.extend(_check_number(kind.parameters[name], value, f"{where}.parameters.{name}"))
    if kind.name == "metric_shock":
        metric = event.parameters.get("metric")
        if not isinstance(metric, str) or not metric.strip():
            problems.append(
                Problem(f"{where}.parameters.metric", "required: the name of the metric to shock")
            )
        if "delta" not in event.parameters:
            problems.append(Problem(f"{where}.parameters.delta", "required: the amount to add"))
    if not kind.propagates and event.impact.propagation.max_depth > 0:
        problems.append(Problem(f"{where}.impact.propagation.max_depth", f"{kind.name} does not propagate"))
    return problems


def _check_number(param: Param, value: Any, where: str) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return [Problem(where, "must be a number")]
    low_ok = value > param.minimum if param.exclusive_minimum else value >= param.minimum
    if not low_ok or value > param.maximum:
        bracket = "(" if param.exclusive_minimum else "["
        return [Problem(where, f"must be in {bracket}{param.minimum:g}, {param.maximum:g}]")]
    return []
