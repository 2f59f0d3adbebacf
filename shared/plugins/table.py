"""The one shape tabular data has between steps: ``{"columns": [...], "rows": [{column: value}, ...]}``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from shared.errors import PluginError

Table = dict[str, Any]


def make_table(rows: Iterable[Mapping[str, Any]], columns: list[str] | None = None) -> Table:
    """A table from row mappings; columns default to every key seen, in first-seen order."""
    materialised = [dict(r) for r in rows]
    if columns is None:
        seen: dict[str, None] = {}
        for row in materialised:
            for column in row:
                seen.setdefault(column, None)
        columns = list(seen)
    return {"columns": list(columns), "rows": materialised}


def as_table(value: Any, what: str = "input") -> Table:
    """``value`` as a table: a table passes, a list of objects becomes one, anything else is refused."""
    if isinstance(value, Mapping) and isinstance(value.get("rows"), list):
        rows = value["rows"]
        if not all(isinstance(r, Mapping) for r in rows):
            raise PluginError(f"{what}: every row of a table must be an object")
        columns = value.get("columns")
        if columns is not None and not (
            isinstance(columns, list) and all(isinstance(c, str) for c in columns)
        ):
            raise PluginError(f"{what}: columns must be a list of strings")
        return make_table(rows, columns)
    if isinstance(value, list) and all(isinstance(r, Mapping) for r in value):
        return make_table(value)
    raise PluginError(
        f"{what} is not a table: expected {{'columns': [...], 'rows': [{{...}}]}} or a list of objects, "
        f"got {type(value).__name__}"
    )
