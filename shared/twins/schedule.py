"""A scenario turned into a schedule: for each step, the additions to each channel (see ``events.py``).

Effects do not depend on the state they meet, so the whole scenario is compiled before the first step:
events are taken in step order (reversals due at a step before the events of that step), each adds its
direct effect at its targets and its propagation hop by hop: ``x_k = impact_multiplier * (F @ x_{k-1})``
reaches at ``step + k * delay`` (F the flow matrix over the rule's relationship types, whose entries are
the relationships' strengths), for k = 1..max_depth. A reversal (a ``duration`` running out, or a
restore/recovery event) adds the negatives of the same contributions, hop delays counted from its step.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from shared.twins.arrays import TwinArrays
from shared.twins.events import EVENT_TYPES
from shared.twins.model import Event, Scenario

NEGLIGIBLE = 1e-12  # propagated amounts below this are dropped (they cannot change a float32 timeline)


@dataclass
class Contribution:
    """``values`` added to ``channel`` at entity positions ``indices``, ``offset`` steps after the cause."""

    offset: int
    channel: str
    indices: np.ndarray
    values: np.ndarray


@dataclass
class AppliedEvent:
    """An event that happened: its contributions (to undo them) and whether it is still in force."""

    number: int
    event: Event
    targets: np.ndarray
    contributions: list[Contribution]
    is_open: bool = True


@dataclass
class Schedule:
    """Per step, the channel additions; and the event log entries."""

    additions: dict[int, list[tuple[str, np.ndarray, np.ndarray]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    log: list[dict[str, object]] = field(default_factory=list)

    def add(self, step: int, duration: int, contribution: Contribution, sign: float = 1.0) -> None:
        at = step + contribution.offset
        if at < duration:
            values = contribution.values if sign > 0 else -contribution.values
            self.additions[at].append((contribution.channel, contribution.indices, values))


def compile_schedule(arrays: TwinArrays, scenario: Scenario, rng: np.random.Generator) -> Schedule:
    """The schedule of ``scenario`` on ``arrays``; ``rng`` decides events with a probability below 1."""
    schedule = Schedule()
    index = arrays.index_of()
    draws = rng.random(len(scenario.events))  # one draw per event, used or not, so draws never shift
    # (step, 0 = reversal before 1 = event, sequence, event number)
    queue: list[tuple[int, int, int]] = [(e.step, 1, n) for n, e in enumerate(scenario.events)]
    heapq.heapify(queue)
    applied: dict[int, AppliedEvent] = {}
    while queue:
        step, phase, number = heapq.heappop(queue)
        event = scenario.events[number]
        if phase == 0:
            _reverse(schedule, applied[number], step, scenario.duration, reason="duration ended")
            continue
        if draws[number] >= event.probability:
            schedule.log.append(_entry(step, event, 0, "skipped (probability)"))
            continue
        targets = _targets(arrays, index, event)
        kind = EVENT_TYPES[event.type]
        if kind.restores is not None:
            _restore(schedule, applied, kind.restores, targets, step, scenario.duration, event)
            continue
        record = AppliedEvent(number, event, targets, _contributions(arrays, event, targets))
        applied[number] = record
        for contribution in record.contributions:
            schedule.add(step, scenario.duration, contribution)
        hops = [c.indices for c in record.contributions if c.offset > 0]
        reached = int(np.unique(np.concatenate(hops)).size) if hops else 0
        schedule.log.append(_entry(step, event, len(targets), "applied", reached=reached))
        if event.duration is not None:
            heapq.heappush(queue, (step + event.duration, 0, number))
    return schedule


def _targets(arrays: TwinArrays, index: dict[str, int], event: Event) -> np.ndarray:
    if event.target_uri is not None:
        return np.asarray([index[event.target_uri]], dtype=np.int64)
    type_number = arrays.type_names.index(str(event.target_type))
    return np.flatnonzero(arrays.types == type_number)


def _contributions(arrays: TwinArrays, event: Event, targets: np.ndarray) -> list[Contribution]:
    effect = EVENT_TYPES[event.type].effect(event)
    out = [
        Contribution(0, channel, targets, np.full(len(targets), amount))
        for channel, amount in effect.direct.items()
        if amount != 0.0
    ]
    rules = event.impact.propagation
    if effect.spread is None or rules.max_depth == 0 or effect.spread[1] == 0.0:
        return out
    channel, amount = effect.spread
    flow = arrays.flow(rules.relationship_types)
    frontier = np.zeros(arrays.size)
    frontier[targets] = amount
    for depth in range(1, rules.max_depth + 1):
        frontier = rules.impact_multiplier * (flow @ frontier)
        reached = np.flatnonzero(np.abs(frontier) > NEGLIGIBLE)
        if len(reached) == 0:
            break
        out.append(Contribution(depth * rules.delay, channel, reached, frontier[reached].copy()))
    return out


def _restore(
    schedule: Schedule,
    applied: dict[int, AppliedEvent],
    restores: str,
    targets: np.ndarray,
    step: int,
    duration: int,
    event: Event,
) -> None:
    wanted = set(targets.tolist())
    closed = 0
    for record in applied.values():
        if record.is_open and record.event.type == restores and set(record.targets.tolist()) <= wanted:
            _reverse(schedule, record, step, duration, reason=f"reversed by {event.type}")
            closed += 1
    schedule.log.append(_entry(step, event, len(targets), f"reversed {closed} open {restores} event(s)"))


def _reverse(schedule: Schedule, record: AppliedEvent, step: int, duration: int, *, reason: str) -> None:
    if not record.is_open:
        return
    record.is_open = False
    for contribution in record.contributions:
        schedule.add(step, duration, contribution, sign=-1.0)
    schedule.log.append(
        {"step": step, "type": record.event.type, "target": _target_name(record.event), "outcome": reason}
    )


def _entry(step: int, event: Event, targets: int, outcome: str, *, reached: int = 0) -> dict[str, object]:
    entry: dict[str, object] = {
        "step": step,
        "type": event.type,
        "target": _target_name(event),
        "outcome": outcome,
    }
    if targets > 1:
        entry["targets"] = targets
    if reached:
        entry["reached"] = reached
    return entry


def _target_name(event: Event) -> str:
    return event.target_uri if event.target_uri is not None else f"type:{event.target_type}"
