"""The engine as a plain function: determinism, callbacks, caps, bottleneck accounting."""

from __future__ import annotations

import numpy as np
import pytest

from shared.errors import PayloadTooLarge
from shared.twins.engine import SimulationStopped, simulate
from shared.twins.metrics import bottleneck_runs
from tests.shared.twins.builders import ONE_HOP, chain, entity, event, scenario, twin


def _noisy(seed: int):
    model = chain()
    return simulate(
        model,
        scenario(
            model,
            20,
            event("demand_surge", "S", 3, severity=0.3, spread=ONE_HOP),
            seed=seed,
            demand_noise=0.1,
        ),
    )


def test_same_seed_gives_an_identical_timeline() -> None:
    first, second = _noisy(7), _noisy(7)
    assert first.utilization.tobytes() == second.utilization.tobytes()
    assert first.status.tobytes() == second.status.tobytes()
    assert first.metrics.summary == second.metrics.summary


def test_a_different_seed_gives_a_different_timeline_when_noise_is_on() -> None:
    assert _noisy(7).utilization.tobytes() != _noisy(8).utilization.tobytes()


def test_without_randomness_the_seed_changes_nothing() -> None:
    model = chain()
    runs = [simulate(model, scenario(model, 5, event("demand_surge", "F", 1), seed=s)) for s in (1, 2)]
    assert runs[0].utilization.tobytes() == runs[1].utilization.tobytes()


def test_an_event_with_probability_happens_or_not_by_the_seed() -> None:
    model = chain()
    outcomes = {
        simulate(
            model, scenario(model, 3, event("process_failure", "S", 1, probability=0.5), seed=seed)
        ).event_log[0]["outcome"]
        for seed in range(20)
    }
    assert outcomes == {"applied", "skipped (probability)"}


def test_progress_is_reported_after_every_step() -> None:
    model = chain()
    seen: list[tuple[int, int]] = []
    simulate(model, scenario(model, 4), on_step=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_should_stop_ends_the_run_between_steps() -> None:
    model = chain()
    calls = iter(range(100))
    with pytest.raises(SimulationStopped) as stopped:
        simulate(model, scenario(model, 10), should_stop=lambda: next(calls) >= 3)
    assert stopped.value.step == 3


def test_a_run_over_the_timeline_cell_cap_is_refused_before_any_work() -> None:
    many = twin(*(entity(f"e{i}", 1, 0.1) for i in range(10_000)))
    with pytest.raises(PayloadTooLarge, match="timeline cells"):
        simulate(many, scenario(many, 10_000))


def test_bottleneck_runs_give_entity_start_and_length_longest_first() -> None:
    mask = np.array([[0, 1], [1, 1], [1, 0], [0, 0], [1, 0]], dtype=bool)
    assert bottleneck_runs(mask) == [(0, 1, 2), (1, 0, 2), (0, 4, 1)]


def test_an_entity_over_capacity_is_listed_as_a_bottleneck_with_a_recommendation() -> None:
    model = chain()
    result = simulate(
        model, scenario(model, 10, event("demand_surge", "F", 4, parameters={"increase": 0.5}, duration=3))
    )
    summary = result.metrics.summary
    assert summary["bottlenecks"] == [{"uri": "F", "label": "F", "from_step": 4, "duration": 3}]
    assert summary["recommendations"][0] == (
        "add capacity to F: over capacity for 3 of 10 steps, demand peaking at 120% of its capacity"
    )


def test_stability_score_follows_its_documented_formula() -> None:
    model = twin(entity("A", 10, 0.5), entity("B", 10, 0.5))
    result = simulate(model, scenario(model, 4, event("process_failure", "A", 2)))
    # D = 2 failed cells of 8 = 0.25; V = |0.5 -> 0| once for A over 3 x 2 differences = 0.5 / 6.
    expected = round(100 * (1 - 0.25) * (1 - 0.5 / 6), 2)
    assert result.metrics.summary["stability_score"] == expected


def test_a_calm_scenario_says_no_action_is_needed() -> None:
    model = chain()
    result = simulate(model, scenario(model, 3))
    assert result.metrics.summary["stability_score"] == 100.0
    assert result.metrics.summary["recommendations"] == [
        "no entity went over capacity or out of service: no action needed for this scenario"
    ]


def test_an_entity_left_with_no_capacity_is_advised_in_words_not_an_infinite_percentage() -> None:
    model = chain()
    result = simulate(model, scenario(model, 3, event("supply_disruption", "S", 0, severity=1.0)))
    assert result.metrics.summary["recommendations"][0] == (
        "add capacity to S: over capacity for 3 of 3 steps, with none of its capacity left for its demand"
    )
