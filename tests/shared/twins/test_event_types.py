"""Each event type on a 3-entity chain, with the utilizations worked out by hand in each test.

The chain: supplier S (capacity 100, load 50) --supplies(0.5)--> factory F (capacity 100, load 80)
--supplies(1.0)--> shop H (capacity 50, load 30). Propagation: multiplier 0.5, one step per hop, depth 2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from shared.twins.engine import simulate
from shared.twins.model import EntityStatus
from tests.shared.twins.builders import ONE_HOP, chain, event, scenario

S, F, H = 0, 1, 2


def _run(*events: dict, duration: int = 6):
    model = chain()
    return simulate(model, scenario(model, duration, *events))


def _status(result, step: int, entity: int) -> str:
    return list(EntityStatus)[int(result.status[step, entity])].value


def test_supply_disruption_cuts_the_target_and_reaches_each_hop_a_step_later() -> None:
    result = _run(event("supply_disruption", "S", 2, severity=0.4, spread=ONE_HOP))
    # S: capacity 100 x (1 - 0.4) = 60, load 50. F at step 3: loss 0.4 x 0.5 x 0.5 = 0.1, capacity 90,
    # load 80. H at step 4: loss 0.1 x 0.5 x 1.0 = 0.05, capacity 47.5, load 30.
    expected = [
        [0.5, 0.8, 0.6],
        [0.5, 0.8, 0.6],
        [50 / 60, 0.8, 0.6],
        [50 / 60, 80 / 90, 0.6],
        [50 / 60, 80 / 90, 30 / 47.5],
        [50 / 60, 80 / 90, 30 / 47.5],
    ]
    np.testing.assert_allclose(result.utilization, expected, rtol=1e-6)
    assert _status(result, 4, H) == "degraded"


def test_resource_unavailable_takes_the_target_out_and_propagates_severity() -> None:
    result = _run(event("resource_unavailable", "F", 1, severity=0.8, spread=ONE_HOP))
    # F is out: utilization 0, status unavailable. H at step 2: loss 0.8 x 0.5 x 1.0 = 0.4, capacity 30,
    # load 30: exactly full, not over. S is upstream of F along supplies, so untouched.
    assert result.utilization[1, F] == 0.0
    assert _status(result, 1, F) == "unavailable"
    assert result.utilization[1, H] == pytest.approx(0.6)
    assert result.utilization[2, H] == pytest.approx(1.0)
    assert _status(result, 2, H) == "degraded"
    assert result.utilization[5, S] == pytest.approx(0.5)


def test_resource_restored_lifts_the_outage_and_its_propagation_hop_by_hop() -> None:
    result = _run(
        event("resource_unavailable", "F", 1, severity=0.8, spread=ONE_HOP),
        event("resource_restored", "F", 3),
    )
    # F back at step 3 (load 80 / 100); H's loss of 0.4 is lifted one hop later, at step 4.
    assert result.utilization[3, F] == pytest.approx(0.8)
    assert _status(result, 3, F) == "operational"
    assert result.utilization[3, H] == pytest.approx(1.0)
    assert result.utilization[4, H] == pytest.approx(0.6)
    assert _status(result, 4, H) == "operational"


def test_demand_surge_pushes_the_target_over_capacity_and_spreads() -> None:
    result = _run(event("demand_surge", "F", 1, parameters={"increase": 0.5}, spread=ONE_HOP))
    # F: load 80 x 1.5 = 120 > 100: utilization capped at 1, a bottleneck. H at step 2: demand
    # +0.5 x 0.5 x 1.0 = +0.25, load 30 x 1.25 = 37.5 of 50.
    assert result.utilization[1, F] == 1.0
    assert _status(result, 1, F) == "bottleneck"
    assert result.peak_demand[F] == pytest.approx(1.2)
    assert result.utilization[1, H] == pytest.approx(0.6)
    assert result.utilization[2, H] == pytest.approx(0.75)


def test_demand_drop_lowers_load_and_never_below_zero() -> None:
    result = _run(event("demand_drop", "S", 1, parameters={"decrease": 1.5}, spread=ONE_HOP))
    # S: 50 x max(1 - 1.5, 0) = 0. F at step 2: demand -1.5 x 0.5 x 0.5 = -0.375, load 80 x 0.625 = 50.
    # H at step 3: -0.375 x 0.5 x 1.0 = -0.1875, load 30 x 0.8125 = 24.375 of 50.
    assert result.utilization[1, S] == 0.0
    assert result.utilization[2, F] == pytest.approx(0.5)
    assert result.utilization[3, H] == pytest.approx(24.375 / 50)


def test_capacity_change_multiplies_capacity_and_a_cut_propagates_its_loss() -> None:
    result = _run(event("capacity_change", "F", 1, parameters={"factor": 0.5}, spread=ONE_HOP))
    # F: capacity 50, load 80: over capacity (peak 160%). H at step 2: loss (1 - 0.5) x 0.5 x 1.0 = 0.25,
    # capacity 37.5, load 30.
    assert _status(result, 1, F) == "bottleneck"
    assert result.peak_demand[F] == pytest.approx(1.6)
    assert result.utilization[2, H] == pytest.approx(30 / 37.5)


def test_capacity_rise_relieves_the_target_and_propagates_nothing() -> None:
    result = _run(event("capacity_change", "F", 1, parameters={"factor": 2.0}, spread=ONE_HOP))
    assert result.utilization[1, F] == pytest.approx(0.4)
    assert result.utilization[5, H] == pytest.approx(0.6)


def test_process_failure_and_recovery_with_the_loss_lifted_after_recovery() -> None:
    result = _run(
        event("process_failure", "S", 0, severity=1.0, spread=ONE_HOP),
        event("process_recovery", "S", 2),
    )
    # S failed at 0. F at 1: loss 1 x 0.5 x 0.5 = 0.25, capacity 75, load 80: bottleneck. H at 2: loss
    # 0.25 x 0.5 = 0.125, capacity 43.75, load 30. Recovery at 2: S back; F's loss lifted at 3, H's at 4.
    assert _status(result, 0, S) == "failed"
    assert _status(result, 1, F) == "bottleneck"
    assert result.utilization[2, H] == pytest.approx(30 / 43.75)
    assert _status(result, 2, S) == "operational"
    assert result.utilization[3, F] == pytest.approx(0.8)
    assert result.utilization[3, H] == pytest.approx(30 / 43.75)
    assert result.utilization[4, H] == pytest.approx(0.6)


def test_policy_change_scales_capacity_and_demand_of_every_entity_of_a_type() -> None:
    result = _run(
        event(
            "policy_change",
            "type:unit",
            1,
            parameters={"capacity_factor": 1.25, "demand_factor": 0.5},
        )
    )
    # Every entity: load x 0.5 over capacity x 1.25: S 25/125, F 40/125, H 15/62.5.
    np.testing.assert_allclose(result.utilization[1], [0.2, 0.32, 0.24], rtol=1e-6)
    assert result.event_log[0]["targets"] == 3


def test_metric_shock_adds_to_the_metric_and_spreads_it() -> None:
    result = _run(event("metric_shock", "S", 1, parameters={"metric": "cost", "delta": 10.0}, spread=ONE_HOP))
    # S +10; F +10 x 0.5 x 0.5 = 2.5; H +2.5 x 0.5 x 1.0 = 1.25. Utilization untouched.
    np.testing.assert_allclose(result.final_metrics["cost"], [10.0, 2.5, 1.25])
    assert result.metrics.summary["metric_totals"] == {
        "cost": {"before": 0.0, "after": 13.75, "change": 13.75}
    }
    np.testing.assert_allclose(result.utilization[5], [0.5, 0.8, 0.6], rtol=1e-6)


def test_event_with_a_duration_is_undone_when_it_runs_out() -> None:
    result = _run(event("capacity_change", "S", 1, parameters={"factor": 0.5}, duration=2))
    # S: capacity 50 at steps 1 and 2 (load 50: full), back to 100 at step 3.
    assert [float(u) for u in result.utilization[:5, S]] == [0.5, 1.0, 1.0, 0.5, 0.5]
    assert any(entry["outcome"] == "duration ended" for entry in result.event_log)


def test_propagation_beyond_the_last_step_is_dropped() -> None:
    result = _run(event("supply_disruption", "S", 5, severity=0.4, spread=ONE_HOP))
    assert result.utilization[5, S] == pytest.approx(50 / 60)
    assert result.utilization[5, F] == pytest.approx(0.8)
    assert not math.isnan(float(result.utilization.sum()))
