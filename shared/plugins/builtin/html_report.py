"""The HTML report Output.html writes: standalone, escaped, no external assets."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

from shared.plugins.table import Table

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}
th{background:#f3f3f3}pre{background:#f6f6f6;padding:1rem;overflow:auto}.meta{color:#666}
"""


def render_report(title: str, value: Any, table: Table | None) -> str:
    """The report page for ``value`` (a table gets a summary and its rows)."""
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    body = (
        _table_section(table)
        if table is not None
        else f"<pre>{escape(json.dumps(value, indent=2, default=str))}</pre>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head><body>"
        f'<h1>{escape(title)}</h1><p class="meta">Generated {generated}</p>{body}</body></html>\n'
    )


def _table_section(table: Table) -> str:
    columns = table["columns"]
    rows = table["rows"]
    summary_rows = []
    for column in columns:
        numbers = [
            r[column]
            for r in rows
            if isinstance(r.get(column), int | float) and not isinstance(r[column], bool)
        ]
        if numbers:
            mean = sum(numbers) / len(numbers)
            summary_rows.append(
                f"<tr><td>{escape(column)}</td><td>{len(numbers)}</td><td>{min(numbers)}</td>"
                f"<td>{max(numbers)}</td><td>{mean:.4g}</td></tr>"
            )
    summary = (
        "<h2>Numeric columns</h2><table><tr><th>column</th><th>count</th>"
        "<th>min</th><th>max</th><th>mean</th></tr>" + "".join(summary_rows) + "</table>"
        if summary_rows
        else ""
    )
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_text(r.get(c)))}</td>" for c in columns) + "</tr>" for r in rows
    )
    return (
        f"<p>{len(rows)} rows; columns: {escape(', '.join(columns))}</p>{summary}"
        f"<h2>Rows</h2><table><tr>{head}</tr>{body}</table>"
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)
