"""The table operations behind Data_Processing.transform; each takes a table and returns a new one."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from shared.errors import PluginError
from shared.plugins.table import Table, make_table


def _require(table: Table, columns: list[str]) -> None:
    missing = [c for c in columns if c not in table["columns"]]
    if missing:
        known = ", ".join(table["columns"]) or "none"
        raise PluginError(f"unknown column {missing[0]!r} (columns: {known})")


def select(table: Table, columns: list[str]) -> Table:
    """Only ``columns``, in that order."""
    _require(table, columns)
    return make_table(({c: row.get(c) for c in columns} for row in table["rows"]), list(columns))


def rename(table: Table, names: dict[str, str]) -> Table:
    """Columns renamed ``old -> new``."""
    _require(table, list(names))
    columns = [names.get(c, c) for c in table["columns"]]
    return make_table(({names.get(k, k): v for k, v in row.items()} for row in table["rows"]), columns)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "in": lambda a, b: a in b,
    "not_in": lambda a, b: a not in b,
    "contains": lambda a, b: b in a,
    "startswith": lambda a, b: str(a).startswith(str(b)),
}


def filter_rows(table: Table, conditions: dict[str, Any] | list[dict[str, Any]]) -> Table:
    """The rows meeting every condition; a comparison with a null cell is false."""
    conditions = [conditions] if isinstance(conditions, dict) else conditions
    _require(table, [c["column"] for c in conditions])
    return make_table(
        (row for row in table["rows"] if all(_holds(row, c) for c in conditions)), table["columns"]
    )


def _holds(row: dict[str, Any], condition: dict[str, Any]) -> bool:
    value = row.get(condition["column"])
    op = condition["op"]
    if op == "is_null":
        return value is None
    if op == "not_null":
        return value is not None
    if value is None:
        return False
    try:
        return bool(_COMPARE[op](value, condition.get("value")))
    except TypeError as exc:
        raise PluginError(
            f"column {condition['column']!r}: cannot compare {value!r} {op} {condition.get('value')!r}"
        ) from exc


def aggregate(table: Table, spec: dict[str, Any]) -> Table:
    """One row per group with each metric (sum, count, avg, min, max); nulls are ignored."""
    group_by = list(spec.get("group_by", []))
    metrics = spec["metrics"]
    _require(table, group_by + [m["column"] for m in metrics if "column" in m])
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for row in table["rows"]:
        groups.setdefault(tuple(row.get(c) for c in group_by), []).append(row)
    if not group_by and not groups:
        groups[()] = []
    names = [m.get("as") or f"{m['func']}_{m.get('column', 'rows')}" for m in metrics]
    out = []
    for key, rows in groups.items():
        result = dict(zip(group_by, key, strict=True))
        for name, metric in zip(names, metrics, strict=True):
            result[name] = _metric(metric, rows)
        out.append(result)
    return make_table(out, group_by + names)


def _metric(metric: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
    func = metric["func"]
    if "column" not in metric:
        if func != "count":
            raise PluginError(f"{func} needs a column")
        return len(rows)
    values: list[Any] = [r[metric["column"]] for r in rows if r.get(metric["column"]) is not None]
    if func == "count":
        return len(values)
    if not values:
        return None
    if func in ("sum", "avg"):
        bad = next((v for v in values if isinstance(v, bool) or not isinstance(v, int | float)), None)
        if bad is not None:
            raise PluginError(f"{func} of column {metric['column']!r}: {bad!r} is not a number")
        total = sum(values)
        return total if func == "sum" else total / len(values)
    try:
        return min(values) if func == "min" else max(values)
    except TypeError as exc:
        raise PluginError(f"{func} of column {metric['column']!r}: values of mixed types") from exc


def flatten(table: Table, spec: dict[str, Any]) -> Table:
    """Nested objects as dotted columns (``address.city``), for one column or all."""
    separator = spec.get("separator", ".")
    only = spec.get("column")
    if only is not None:
        _require(table, [only])
    rows = []
    for row in table["rows"]:
        flat: dict[str, Any] = {}
        for key, value in row.items():
            if isinstance(value, dict) and (only is None or key == only):
                _flatten_into(flat, key, value, separator)
            else:
                flat[key] = value
        rows.append(flat)
    return make_table(rows)


def _flatten_into(out: dict[str, Any], prefix: str, value: dict[str, Any], separator: str) -> None:
    for key, inner in value.items():
        name = f"{prefix}{separator}{key}"
        if isinstance(inner, dict):
            _flatten_into(out, name, inner, separator)
        else:
            out[name] = inner


def sort_rows(table: Table, spec: dict[str, Any]) -> Table:
    """Rows ordered by the given columns; nulls last."""
    by = [spec["by"]] if isinstance(spec["by"], str) else list(spec["by"])
    _require(table, by)
    descending = bool(spec.get("descending", False))

    def key(row: dict[str, Any]) -> tuple[Any, ...]:
        return tuple((row.get(c) is None, row.get(c)) for c in by)

    try:
        present = sorted(table["rows"], key=key, reverse=descending)
    except TypeError as exc:
        raise PluginError(f"cannot order values of mixed types in {', '.join(by)}") from exc
    if descending:  # keep nulls last either way
        present = [r for r in present if not any(r.get(c) is None for c in by)] + [
            r for r in present if any(r.get(c) is None for c in by)
        ]
    return make_table(present, table["columns"])


_UNARY: dict[str, Callable[[Any], Any]] = {
    "upper": lambda v: str(v).upper(),
    "lower": lambda v: str(v).lower(),
    "strip": lambda v: str(v).strip(),
    "round": round,
    "abs": abs,
    "int": int,
    "float": float,
    "str": str,
    "len": len,
}


def map_column(table: Table, spec: dict[str, Any]) -> Table:
    """A column computed from another (or from several, for ``concat``) with a named expression."""
    expression = spec["expression"]
    source = spec.get("column")
    target = spec.get("to") or source
    if not target:
        raise PluginError("map needs 'column' or 'to'")
    if source is not None:
        _require(table, [source])
    rows = []
    for number, row in enumerate(table["rows"]):
        new = dict(row)
        try:
            new[target] = _evaluate(expression, row, source)
        except (TypeError, ValueError) as exc:
            raise PluginError(f"row {number}: cannot apply {expression!r} to {row.get(source)!r}") from exc
        rows.append(new)
    columns = table["columns"] + ([target] if target not in table["columns"] else [])
    return make_table(rows, columns)


def _evaluate(expression: Any, row: dict[str, Any], source: str | None) -> Any:
    if isinstance(expression, dict) and "concat" in expression:
        return "".join(str(row[p]) if p in row and row[p] is not None else p for p in expression["concat"])
    value = row.get(source) if source else None
    if value is None:
        return None
    if isinstance(expression, str):
        return _UNARY[expression](value)
    if "multiply" in expression:
        return value * expression["multiply"]
    return value + expression["add"]
