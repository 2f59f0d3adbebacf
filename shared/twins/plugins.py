"""Pipeline steps for twins: ``Output.twin_state`` keeps a twin in sync with data, and
``Digital_Twin.simulate`` runs a scenario from inside a pipeline. Both need the process's database
(``context.env.database``), which a job's run has and ``mimir run`` does not."""

from __future__ import annotations

from typing import Any, ClassVar

from shared.errors import MimirError, PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.table import as_table
from shared.twins import runs, service
from shared.twins.state import STATE_FIELDS


def _database(context: RunContext) -> Any:
    return context.env.require("database", "this step reads and writes stored twins")


class TwinStateOutput(Plugin):
    """Writes rows (a uri and state fields) into a twin's current state, as a new revision."""

    type = "Output"
    name = "twin_state"
    description = (
        "Write a table into a twin's state: each row names an entity (uri) and gives any of status, "
        "capacity, utilization, available and metrics; `columns` maps those fields to other column names."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "input": {"type": "string", "minLength": 1},
            "twin_id": {"type": "string", "minLength": 1},
            "columns": {
                "type": "object",
                "properties": {f: {"type": "string"} for f in ("uri", *STATE_FIELDS)},
                "additionalProperties": False,
            },
        },
        "required": ["input", "twin_id"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        table = as_table(self.input_value(step, context), f"config.input ({step.config['input']})")
        columns = {"uri": "uri", **{f: f for f in STATE_FIELDS}, **step.config.get("columns", {})}
        rows = [
            {field: row[column] for field, column in columns.items() if column in row}
            for row in table["rows"]
        ]
        try:
            record = service.update_state(_database(context), step.config["twin_id"], rows)
        except PluginError:
            raise
        except MimirError as exc:
            raise PluginError(exc.message) from exc
        return {"twin_id": record.id, "revision": record.revision, "updated": len(rows)}


class TwinSimulate(Plugin):
    """Runs a stored or inline scenario against a twin and returns the run's id and metrics."""

    type = "Digital_Twin"
    name = "simulate"
    description = (
        "Simulate a scenario (scenario_id, or an inline scenario) against a twin's current revision."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "twin_id": {"type": "string", "minLength": 1},
            "scenario_id": {"type": "string", "minLength": 1},
            "scenario": {"type": "object"},
        },
        "required": ["twin_id"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        try:
            run = runs.run_scenario(
                _database(context),
                step.config["twin_id"],
                scenario_id=step.config.get("scenario_id"),
                scenario=step.config.get("scenario"),
            )
        except PluginError:
            raise
        except MimirError as exc:
            raise PluginError(exc.message) from exc
        return {
            "run_id": run.id,
            "twin_id": run.twin_id,
            "twin_revision": run.twin_revision,
            "metrics": run.metrics,
        }
