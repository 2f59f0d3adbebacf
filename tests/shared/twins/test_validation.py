"""Refusals: each names the offending item and where it is."""

from __future__ import annotations

import pytest

from shared.twins.validation import TwinValidationError, parse_scenario, parse_twin
from tests.shared.twins.builders import chain, entity, event, link


def _problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(TwinValidationError) as refused:
        parse_twin({"name": "t", **data})
    return [(p.location, p.message) for p in refused.value.problems]


def _scenario_problems(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(TwinValidationError) as refused:
        parse_scenario({"name": "s", **data}, chain())
    return [(p.location, p.message) for p in refused.value.problems]


def test_relationship_to_a_missing_entity_is_named() -> None:
    problems = _problems({"entities": [entity("A", 1, 0)], "relationships": [link("A", "ghost")]})
    assert problems == [("relationships[0].target_uri", "no entity 'ghost' in this twin")]


def test_duplicate_uri_names_both_places() -> None:
    problems = _problems({"entities": [entity("A", 1, 0), entity("B", 1, 0), entity("A", 2, 0)]})
    assert problems == [("entities[2].uri", "duplicate uri 'A' (first at entities[0])")]


def test_strength_out_of_range_is_refused() -> None:
    problems = _problems(
        {"entities": [entity("A", 1, 0), entity("B", 1, 0)], "relationships": [link("A", "B", strength=1.5)]}
    )
    assert problems == [("relationships[0].strength", "1.5 is out of range [0, 1]")]


def test_negative_capacity_is_refused() -> None:
    problems = _problems({"entities": [entity("A", -5, 0)]})
    assert problems == [("entities[0].state.capacity", "negative capacity -5; capacity must be 0 or more")]


def test_every_problem_is_listed_at_once() -> None:
    problems = _problems({"entities": [entity("A", -1, 0), {"type": "x"}], "relationships": [link("A", "B")]})
    assert [where for where, _ in problems] == [
        "entities[0].state.capacity",
        "entities[1].uri",
        "relationships[0].target_uri",
    ]


def test_unknown_fields_are_refused() -> None:
    problems = _problems({"entities": [{"uri": "A", "colour": "red"}]})
    assert problems[0][0] == "entities[0].colour"


def test_event_on_a_missing_entity_is_refused() -> None:
    problems = _scenario_problems({"duration": 5, "events": [event("process_failure", "nobody", 1)]})
    assert problems == [("events[0].target_uri", "no entity 'nobody' in this twin")]


def test_a_million_step_duration_is_refused_by_the_documented_cap() -> None:
    problems = _scenario_problems({"duration": 1_000_000})
    assert problems == [("duration", "1000000 is out of range [1, 10000] (the documented cap)")]


def test_event_after_the_last_step_is_refused() -> None:
    problems = _scenario_problems({"duration": 5, "events": [event("process_failure", "S", 5)]})
    assert problems == [("events[0].step", "5 is out of range [0, 4]")]


def test_unknown_event_type_lists_the_known_ones() -> None:
    problems = _scenario_problems({"duration": 5, "events": [event("meteor", "S", 1)]})
    assert problems[0][0] == "events[0].type"
    assert "supply_disruption" in problems[0][1]


def test_event_parameters_are_checked_by_type() -> None:
    problems = _scenario_problems(
        {"duration": 5, "events": [event("capacity_change", "S", 1, parameters={"factor": 0, "speed": 2})]}
    )
    assert problems == [
        ("events[0].parameters.factor", "must be in (0, 1000]"),
        ("events[0].parameters.speed", "not a parameter of capacity_change (factor)"),
    ]


def test_a_type_that_does_not_propagate_refuses_propagation_rules() -> None:
    spread = {"max_depth": 2}
    problems = _scenario_problems({"duration": 5, "events": [event("policy_change", "S", 1, spread=spread)]})
    assert problems == [("events[0].impact.propagation.max_depth", "policy_change does not propagate")]
