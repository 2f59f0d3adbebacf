"""Data_Processing.deduplicate: drop repeated rows, whole or by key columns, keeping the first or last."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.table import as_table, make_table


class Deduplicate(Plugin):
    """Keeps one row per identical row (``exact``) or per key (``key`` with ``keys``)."""

    type = "Data_Processing"
    name = "deduplicate"
    description = "Drops duplicate rows: exact (whole row) or by key columns; keep first or last."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "input": {"type": "string", "minLength": 1},
            "mode": {"enum": ["exact", "key"], "default": "exact"},
            "keys": {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
            "keep": {"enum": ["first", "last"], "default": "first"},
        },
        "required": ["input"],
        "if": {"properties": {"mode": {"const": "key"}}, "required": ["mode"]},
        "then": {"required": ["keys"]},
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        table = as_table(self.input_value(step, context), "config.input")
        keys = step.config.get("keys") if step.config.get("mode", "exact") == "key" else None
        if keys:
            missing = [k for k in keys if k not in table["columns"]]
            if missing:
                raise PluginError(
                    f"keys: unknown column {missing[0]!r} (columns: {', '.join(table['columns'])})"
                )
        rows = table["rows"]
        if step.config.get("keep", "first") == "last":
            rows = list(reversed(rows))
        seen: set[str] = set()
        kept = []
        for row in rows:
            identity = json.dumps([row.get(k) for k in keys] if keys else row, sort_keys=True, default=str)
            if identity not in seen:
                seen.add(identity)
                kept.append(row)
        if step.config.get("keep", "first") == "last":
            kept.reverse()
        return make_table(kept, table["columns"])
