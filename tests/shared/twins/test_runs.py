"""Stored twins, scenarios and runs in a real (SQLite) database built by the migrations."""

from __future__ import annotations

import threading

import pytest

from shared.db.engine import Database
from shared.errors import NotFound
from shared.twins import runs, service
from shared.twins.validation import TwinValidationError
from tests.shared.twins.builders import chain, event

SURGE = {
    "name": "surge",
    "duration": 10,
    "events": [event("demand_surge", "F", 2, parameters={"increase": 0.5}, duration=4)],
}


@pytest.fixture()
def twin_id(db: Database) -> str:
    return service.create_twin(db, chain()).id


def test_a_stored_run_records_the_revision_metrics_and_timeline(db: Database, twin_id: str) -> None:
    run = runs.run_scenario(db, twin_id, scenario=SURGE)
    stored = runs.get_run(db, twin_id, run.id)
    assert (stored.twin_revision, stored.duration, stored.kind) == (1, 10, "scenario")
    assert stored.metrics["bottlenecks"] == [{"uri": "F", "label": "F", "from_step": 2, "duration": 4}]
    view = runs.timeline_view(db, twin_id, run.id, entities=["F"], first=1, last=6)
    [f] = view["entities"]
    assert f["utilization"] == [0.8, 1.0, 1.0, 1.0, 1.0, 0.8]
    assert f["status"][:2] == ["operational", "bottleneck"]


def test_a_job_that_runs_again_gets_the_run_its_first_attempt_stored(db: Database, twin_id: str) -> None:
    first = runs.run_scenario(db, twin_id, scenario=SURGE, job_id="job-1")
    again = runs.run_scenario(db, twin_id, scenario=SURGE, job_id="job-1")
    assert again.id == first.id
    assert runs.list_runs(db, twin_id, limit=10, offset=0)[1] == 1


def test_a_stored_scenario_runs_by_id(db: Database, twin_id: str) -> None:
    scenario = service.create_scenario(db, twin_id, SURGE)
    run = runs.run_scenario(db, twin_id, scenario_id=scenario.id)
    assert run.scenario_id == scenario.id


def test_a_scenario_naming_a_missing_entity_is_refused_when_stored(db: Database, twin_id: str) -> None:
    with pytest.raises(TwinValidationError, match="events\\[0\\].target_uri: no entity 'ghost'"):
        service.create_scenario(
            db, twin_id, {"name": "x", "duration": 3, "events": [event("process_failure", "ghost", 0)]}
        )


def test_state_rows_make_a_new_revision_and_old_runs_keep_theirs(db: Database, twin_id: str) -> None:
    old = runs.run_scenario(db, twin_id, scenario=SURGE)
    record = service.update_state(db, twin_id, [{"uri": "F", "capacity": 200}])
    assert record.revision == 2
    new = runs.run_scenario(db, twin_id, scenario=SURGE)
    assert (old.twin_revision, new.twin_revision) == (1, 2)
    assert new.metrics["bottleneck_count"] == 0


def test_compare_gives_the_difference_between_two_runs(db: Database, twin_id: str) -> None:
    calm = runs.run_scenario(db, twin_id, scenario={"name": "calm", "duration": 10})
    surge = runs.run_scenario(db, twin_id, scenario=SURGE)
    diff = runs.compare_runs(db, twin_id, calm.id, surge.id)["difference"]
    # F: 0.8 for 10 steps, then 1.0 for 4 of them: average 0.8 -> 0.88.
    assert diff["new_bottlenecks"] == ["F"]
    assert diff["entities"][0]["average_utilization"] == {"before": 0.8, "after": 0.88, "change": 0.08}


def test_whatif_stores_both_runs_and_the_difference(db: Database, twin_id: str) -> None:
    changed = runs.run_whatif(
        db, twin_id, [{"op": "set_capacity", "uri": "F", "capacity": 150}], scenario=SURGE
    )
    assert changed.kind == "whatif" and changed.whatif is not None
    baseline = runs.get_run(db, twin_id, changed.whatif["baseline_run_id"])
    assert baseline.kind == "baseline"
    assert changed.whatif["difference"]["resolved_bottlenecks"] == ["F"]


def test_deleting_a_twin_deletes_its_runs(db: Database, twin_id: str) -> None:
    run = runs.run_scenario(db, twin_id, scenario=SURGE)
    service.delete_twin(db, twin_id)
    with pytest.raises(NotFound):
        runs.get_run(db, twin_id, run.id)


def test_two_state_syncs_at_once_both_land(db: Database, twin_id: str) -> None:
    rows = [[{"uri": "S", "utilization": 0.1}], [{"uri": "H", "utilization": 0.2}]]
    threads = [threading.Thread(target=service.update_state, args=(db, twin_id, r)) for r in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    loaded = service.load_twin(db, twin_id)
    states = {e.uri: e.state.utilization for e in loaded.twin.entities}
    assert (loaded.revision, states["S"], states["H"]) == (3, 0.1, 0.2)
