"""Data_Processing.transform: table operations applied in order. No user code is ever evaluated."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.builtin.table_ops import (
    aggregate,
    filter_rows,
    flatten,
    map_column,
    rename,
    select,
    sort_rows,
)
from shared.plugins.table import Table, as_table

_COLUMNS = {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1}
_CONDITION = {
    "type": "object",
    "properties": {
        "column": {"type": "string", "minLength": 1},
        "op": {
            "enum": [
                "==",
                "!=",
                ">",
                ">=",
                "<",
                "<=",
                "in",
                "not_in",
                "contains",
                "startswith",
                "is_null",
                "not_null",
            ]
        },
        "value": {},
    },
    "required": ["column", "op"],
    "additionalProperties": False,
}
_EXPRESSION = {
    "oneOf": [
        {"enum": ["upper", "lower", "strip", "round", "abs", "int", "float", "str", "len"]},
        {
            "type": "object",
            "properties": {"multiply": {"type": "number"}},
            "required": ["multiply"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"add": {"type": "number"}},
            "required": ["add"],
            "additionalProperties": False,
        },
        {
            "type": "object",
            "properties": {"concat": {"type": "array", "items": {"type": "string"}}},
            "required": ["concat"],
            "additionalProperties": False,
        },
    ]
}
_OPERATIONS: dict[str, Any] = {
    "select": _COLUMNS,
    "rename": {
        "type": "object",
        "additionalProperties": {"type": "string", "minLength": 1},
        "minProperties": 1,
    },
    "filter": {"oneOf": [_CONDITION, {"type": "array", "items": _CONDITION, "minItems": 1}]},
    "aggregate": {
        "type": "object",
        "properties": {
            "group_by": {"type": "array", "items": {"type": "string"}},
            "metrics": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "column": {"type": "string"},
                        "func": {"enum": ["sum", "count", "avg", "min", "max"]},
                        "as": {"type": "string", "minLength": 1},
                    },
                    "required": ["func"],
                    "additionalProperties": False,
                },
            },
        },
        "required": ["metrics"],
        "additionalProperties": False,
    },
    "flatten": {
        "type": "object",
        "properties": {"column": {"type": "string"}, "separator": {"type": "string", "minLength": 1}},
        "additionalProperties": False,
    },
    "sort": {
        "type": "object",
        "properties": {
            "by": {"oneOf": [{"type": "string", "minLength": 1}, _COLUMNS]},
            "descending": {"type": "boolean"},
        },
        "required": ["by"],
        "additionalProperties": False,
    },
    "map": {
        "type": "object",
        "properties": {"column": {"type": "string"}, "to": {"type": "string"}, "expression": _EXPRESSION},
        "required": ["expression"],
        "additionalProperties": False,
    },
    "limit": {"type": "integer", "minimum": 0},
}

_APPLY: dict[str, Callable[[Table, Any], Table]] = {
    "select": select,
    "rename": rename,
    "filter": filter_rows,
    "aggregate": aggregate,
    "flatten": flatten,
    "sort": sort_rows,
    "map": map_column,
    "limit": lambda table, n: {"columns": table["columns"], "rows": table["rows"][: int(n)]},
}


class Transform(Plugin):
    """Applies select, rename, filter, aggregate, flatten, sort, map and limit to a table, in order."""

    type = "Data_Processing"
    name = "transform"
    description = "Table operations in order: select, rename, filter, aggregate, flatten, sort, map, limit."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "input": {"type": "string", "minLength": 1},
            "operations": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": _OPERATIONS,
                    "additionalProperties": False,
                    "minProperties": 1,
                    "maxProperties": 1,
                },
            },
        },
        "required": ["input", "operations"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        table = as_table(self.input_value(step, context), "config.input")
        for index, operation in enumerate(step.config["operations"]):
            ((name, argument),) = operation.items()
            try:
                table = _APPLY[name](table, argument)
            except PluginError as exc:
                raise PluginError(f"operations[{index}].{name}: {exc.message}") from exc
        return table
