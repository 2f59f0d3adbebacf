"""Timeline storage: one compressed blob per run that reads back bit for bit."""

from __future__ import annotations

import numpy as np

from shared.twins.engine import simulate
from shared.twins.timeline import decode_timeline, encode_timeline
from tests.shared.twins.builders import ONE_HOP, chain, entity, event, scenario, twin


def test_timeline_reads_back_exactly_what_the_run_produced() -> None:
    model = chain()
    result = simulate(
        model,
        scenario(
            model, 30, event("supply_disruption", "S", 4, severity=0.3, spread=ONE_HOP), demand_noise=0.2
        ),
    )
    stored = decode_timeline(encode_timeline(result))
    assert stored.utilization.tobytes() == result.utilization.tobytes()
    assert stored.status.tobytes() == result.status.tobytes()
    np.testing.assert_array_equal(stored.average, result.metrics.average_utilization)
    np.testing.assert_array_equal(stored.bottleneck_steps, result.metrics.bottleneck_steps)


def test_a_quiet_timeline_compresses_to_far_less_than_its_raw_size() -> None:
    model = twin(*(entity(f"e{i}", 10, (i % 7) / 10) for i in range(1000)))
    result = simulate(model, scenario(model, 200, event("process_failure", "e3", 50)))
    blob = encode_timeline(result)
    raw = result.utilization.nbytes + result.status.nbytes
    assert len(blob) < raw / 50


def test_final_metric_values_are_stored_with_the_timeline() -> None:
    model = chain()
    shock = event("metric_shock", "F", 0, parameters={"metric": "cost", "delta": 4.0})
    stored = decode_timeline(encode_timeline(simulate(model, scenario(model, 2, shock))))
    np.testing.assert_array_equal(stored.final_metrics["cost"], [0.0, 4.0, 0.0])
