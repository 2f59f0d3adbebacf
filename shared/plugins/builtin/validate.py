"""Data_Processing.validate: per-column rules; fail the step, drop bad rows, or report them."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.table import as_table, make_table

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}
MAX_LISTED = 20


class Validate(Plugin):
    """Checks each row against column rules (required, type, min/max, lengths, pattern, enum)."""

    type = "Data_Processing"
    name = "validate"
    description = "Checks rows against per-column rules; on_error fail (default), drop or report."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "input": {"type": "string", "minLength": 1},
            "rules": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "properties": {
                        "required": {"type": "boolean"},
                        "type": {"enum": list(_TYPES)},
                        "min": {"type": "number"},
                        "max": {"type": "number"},
                        "min_length": {"type": "integer", "minimum": 0},
                        "max_length": {"type": "integer", "minimum": 0},
                        "pattern": {"type": "string", "format": "regex"},
                        "enum": {"type": "array"},
                    },
                    "additionalProperties": False,
                },
            },
            "on_error": {"enum": ["fail", "drop", "report"], "default": "fail"},
        },
        "required": ["input", "rules"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        table = as_table(self.input_value(step, context), "config.input")
        rules = step.config["rules"]
        patterns = {}
        for column, rule in rules.items():
            if "pattern" in rule:
                try:
                    patterns[column] = re.compile(rule["pattern"])
                except re.error as exc:
                    raise PluginError(f"rules.{column}.pattern: not a regular expression ({exc})") from exc
        errors = []
        kept = []
        for number, row in enumerate(table["rows"], start=1):
            row_errors = [
                {"row": number, "column": column, "message": message}
                for column, rule in rules.items()
                for message in _problems(row.get(column), column in row, rule, patterns.get(column))
            ]
            errors.extend(row_errors)
            if not row_errors:
                kept.append(row)
        on_error = step.config.get("on_error", "fail")
        if errors and on_error == "fail":
            listed = "; ".join(
                f"row {e['row']}, column {e['column']}: {e['message']}" for e in errors[:MAX_LISTED]
            )
            more = f" (and {len(errors) - MAX_LISTED} more)" if len(errors) > MAX_LISTED else ""
            raise PluginError(f"{len(errors)} validation error(s): {listed}{more}")
        result_table = make_table(kept, table["columns"]) if on_error == "drop" else table
        return {"valid": not errors, "errors": errors, "table": result_table, "checked": len(table["rows"])}


def _problems(
    value: Any, is_present: bool, rule: dict[str, Any], pattern: re.Pattern[str] | None
) -> list[str]:
    if value is None:
        return ["is required"] if rule.get("required") else []
    problems = []
    expected = rule.get("type")
    if expected and (
        not isinstance(value, _TYPES[expected]) or (expected != "boolean" and isinstance(value, bool))
    ):
        return [f"expected {expected}, got {type(value).__name__} {value!r}"]
    if "min" in rule and isinstance(value, int | float) and value < rule["min"]:
        problems.append(f"{value!r} is below the minimum {rule['min']}")
    if "max" in rule and isinstance(value, int | float) and value > rule["max"]:
        problems.append(f"{value!r} is above the maximum {rule['max']}")
    if "min_length" in rule and len(str(value)) < rule["min_length"]:
        problems.append(f"shorter than {rule['min_length']} characters")
    if "max_length" in rule and len(str(value)) > rule["max_length"]:
        problems.append(f"longer than {rule['max_length']} characters")
    if pattern is not None and not pattern.fullmatch(str(value)):
        problems.append(f"{value!r} does not match {pattern.pattern!r}")
    if "enum" in rule and value not in rule["enum"]:
        problems.append(f"{value!r} is not one of {rule['enum']}")
    return problems
