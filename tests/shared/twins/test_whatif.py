"""What-if changes on a copy of a twin, and run differences with known answers."""

from __future__ import annotations

import pytest

from shared.twins.engine import simulate
from shared.twins.validation import TwinValidationError
from shared.twins.whatif import RunFigures, apply_changes, difference
from tests.shared.twins.builders import chain, event, scenario


def _figures(result) -> RunFigures:
    m = result.metrics
    return RunFigures(
        m.summary, result.uris, result.labels, m.average_utilization, m.peak_utilization, m.bottleneck_steps
    )


def test_more_capacity_resolves_the_bottleneck_a_surge_causes() -> None:
    model = chain()
    surge = scenario(model, 10, event("demand_surge", "F", 0, parameters={"increase": 0.5}))
    bigger = apply_changes(model, [{"op": "set_capacity", "uri": "F", "capacity": 150}])
    before, after = simulate(model, surge), simulate(bigger, surge)
    diff = difference(_figures(before), _figures(after))
    # Before: F load 120 over 100 for all 10 steps. After: 120 of 150 = 0.8, no bottleneck.
    assert diff["bottleneck_count"] == {"before": 1, "after": 0, "change": -1}
    assert diff["resolved_bottlenecks"] == ["F"]
    assert diff["new_bottlenecks"] == []
    [f] = diff["entities"]
    assert f["uri"] == "F"
    assert f["average_utilization"] == {"before": 1.0, "after": 0.8, "change": -0.2}
    assert f["bottleneck_steps"] == {"before": 10, "after": 0, "change": -10}


def test_the_original_twin_is_left_as_it_was() -> None:
    model = chain()
    apply_changes(
        model,
        [
            {"op": "set_capacity", "uri": "F", "capacity": 150},
            {"op": "remove_relationship", "source_uri": "F", "target_uri": "H", "type": "supplies"},
        ],
    )
    assert model.entities[1].state.capacity == 100
    assert len(model.relationships) == 2


def test_removing_a_relationship_stops_the_propagation_along_it() -> None:
    model = chain()
    cut = apply_changes(
        model, [{"op": "remove_relationship", "source_uri": "F", "target_uri": "H", "type": "supplies"}]
    )
    spread = {"max_depth": 1, "impact_multiplier": 1.0, "delay": 0}
    run = scenario(model, 2, event("supply_disruption", "F", 0, severity=0.5, spread=spread))
    diff = difference(_figures(simulate(model, run)), _figures(simulate(cut, run)))
    # With the link, H loses 0.5 x 1.0 x 1.0 of 50: load 30 of 25, a bottleneck; without it, H stays at 0.6.
    assert diff["resolved_bottlenecks"] == ["H"]
    assert diff["entities"][0]["average_utilization"] == {"before": 1.0, "after": 0.6, "change": -0.4}


def test_bad_changes_are_refused_with_their_position() -> None:
    with pytest.raises(TwinValidationError) as refused:
        apply_changes(
            chain(),
            [
                {"op": "set_capacity", "uri": "F", "capacity": -1},
                {"op": "add_relationship", "source_uri": "S", "target_uri": "X", "type": "supplies"},
                {"op": "explode"},
            ],
        )
    assert [p.location for p in refused.value.problems] == [
        "changes[1].target_uri",
        "changes[2].op",
        "changes[0].capacity",
    ]
