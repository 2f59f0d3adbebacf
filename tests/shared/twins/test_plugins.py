"""The twin pipeline steps, run by the pipeline engine with the database in their environment."""

from __future__ import annotations

from shared.db.engine import Database
from shared.pipelines.engine import run_pipeline
from shared.pipelines.model import PipelineDefinition
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry
from shared.twins import service
from tests.shared.twins.builders import chain


def _run(db: Database | None, steps: list[dict], context: dict | None = None):
    definition = PipelineDefinition.from_dict({"name": "p", "steps": steps})
    return run_pipeline(
        definition,
        PluginRegistry.default(include_entry_points=False),
        context=context or {},
        env=RunEnvironment(database=db),
    )


def test_twin_state_step_writes_rows_into_a_new_revision(db: Database) -> None:
    twin_id = service.create_twin(db, chain()).id
    rows = [{"id": "F", "load": 0.3}, {"id": "H", "load": 0.9, "up": False}]
    step = {
        "name": "sync",
        "plugin": "Output.twin_state",
        "config": {
            "input": "rows",
            "twin_id": twin_id,
            "columns": {"uri": "id", "utilization": "load", "available": "up"},
        },
    }
    result = _run(db, [step], {"rows": rows})
    assert result.success, result.error
    assert result.context["sync"] == {"twin_id": twin_id, "revision": 2, "updated": 2}
    states = {e.uri: e.state for e in service.load_twin(db, twin_id).twin.entities}
    assert (states["F"].utilization, states["H"].utilization, states["H"].available) == (0.3, 0.9, False)


def test_twin_state_step_names_a_row_for_a_missing_entity(db: Database) -> None:
    twin_id = service.create_twin(db, chain()).id
    step = {"name": "sync", "plugin": "Output.twin_state", "config": {"input": "rows", "twin_id": twin_id}}
    result = _run(db, [step], {"rows": [{"uri": "F"}, {"uri": "ghost", "utilization": 0.1}]})
    assert not result.success
    assert "rows[1].uri: no entity 'ghost' in this twin" in str(result.error)


def test_simulate_step_runs_an_inline_scenario_and_returns_the_metrics(db: Database) -> None:
    twin_id = service.create_twin(db, chain()).id
    scenario = {
        "name": "s",
        "duration": 5,
        "events": [{"type": "process_failure", "target_uri": "F", "step": 1}],
    }
    step = {
        "name": "sim",
        "plugin": "Digital_Twin.simulate",
        "config": {"twin_id": twin_id, "scenario": scenario},
    }
    result = _run(db, [step])
    assert result.success, result.error
    assert result.context["sim"]["metrics"]["recommendations"][0].startswith("plan a fallback for F")


def test_twin_steps_without_a_database_say_to_run_as_a_job() -> None:
    step = {"name": "sim", "plugin": "Digital_Twin.simulate", "config": {"twin_id": "x", "scenario_id": "y"}}
    result = _run(None, [step])
    assert "run the pipeline as a job" in str(result.error)
