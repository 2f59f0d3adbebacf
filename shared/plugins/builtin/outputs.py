"""Output plugins: JSON, CSV, Excel and an HTML report, written atomically under the output directory."""

from __future__ import annotations

import csv
import io
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, ClassVar

from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.builtin.html_report import render_report
from shared.plugins.paths import resolve_write_path
from shared.plugins.table import Table, as_table

_TARGET = {
    "input": {"type": "string", "minLength": 1},
    "file_path": {"type": "string", "minLength": 1},
}


def write_atomically(path: Path, write: Callable[[BinaryIO], object]) -> int:
    """Write through a temporary file in the same folder, then rename it over ``path``; the size."""
    temp_name = str(path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp")
    # Not mkstemp: its files are 0600 whatever the umask; the reports are meant for the people and tools
    # that read the output directory, so the file gets the mode the process's umask gives (0644 usually).
    fd = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path.stat().st_size


def _written(path: Path, size: int, table: Table | None) -> dict[str, Any]:
    result: dict[str, Any] = {"path": str(path), "bytes": size}
    if table is not None:
        result["rows"] = len(table["rows"])
    return result


class JsonOutput(Plugin):
    """Writes a context value as JSON."""

    type = "Output"
    name = "json"
    description = "Writes the input value as JSON; records: true writes only a table's rows."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            **_TARGET,
            "indent": {"type": "integer", "minimum": 0, "maximum": 8},
            "records": {"type": "boolean"},
        },
        "required": ["input", "file_path"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        value = self.input_value(step, context)
        table = as_table(value) if isinstance(value, dict) and "rows" in value else None
        if step.config.get("records") and table is not None:
            value = table["rows"]
        data = json.dumps(value, indent=step.config.get("indent", 2), default=str, ensure_ascii=False)
        path = resolve_write_path(str(step.config["file_path"]), context.env)
        return _written(path, write_atomically(path, lambda h: h.write(data.encode("utf-8"))), table)


class CsvOutput(Plugin):
    """Writes a table as CSV."""

    type = "Output"
    name = "csv"
    description = "Writes a table as CSV; text cells starting with =, +, -, @ get a leading apostrophe."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            **_TARGET,
            "delimiter": {"type": "string", "minLength": 1, "maxLength": 1},
            "header": {"type": "boolean"},
            "escape_formulas": {"type": "boolean"},
        },
        "required": ["input", "file_path"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        table = as_table(self.input_value(step, context), "config.input")
        buffer = io.StringIO()
        writer = csv.DictWriter(
            buffer,
            fieldnames=table["columns"],
            delimiter=step.config.get("delimiter", ","),
            extrasaction="ignore",
        )
        if step.config.get("header", True):
            writer.writeheader()
        rows = table["rows"]
        if step.config.get("escape_formulas", True):
            rows = [{k: _formula_escaped(v) for k, v in row.items()} for row in rows]
        writer.writerows(rows)
        path = resolve_write_path(str(step.config["file_path"]), context.env)
        return _written(
            path, write_atomically(path, lambda h: h.write(buffer.getvalue().encode("utf-8"))), table
        )


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_escaped(value: Any) -> Any:
    # A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); a leading
    # apostrophe makes it text. Numbers, and text that reads as a number ("-5"), are left as they are.
    if not isinstance(value, str) or not value.startswith(_FORMULA_STARTS):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


class ExcelOutput(Plugin):
    """Writes a table to an .xlsx workbook with a bold header row."""

    type = "Output"
    name = "excel"
    description = "Writes a table to an .xlsx sheet (openpyxl)."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {**_TARGET, "sheet_name": {"type": "string", "minLength": 1, "maxLength": 31}},
        "required": ["input", "file_path"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        import openpyxl
        from openpyxl.styles import Font

        table = as_table(self.input_value(step, context), "config.input")
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = step.config.get("sheet_name", "Sheet1")
        sheet.append(table["columns"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table["rows"]:
            sheet.append([_excel_value(row.get(c)) for c in table["columns"]])
        path = resolve_write_path(str(step.config["file_path"]), context.env)
        return _written(path, write_atomically(path, workbook.save), table)


def _excel_value(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.dumps(value, default=str)


class HtmlOutput(Plugin):
    """Writes a standalone HTML report: a table with column summaries, or any value as JSON."""

    type = "Output"
    name = "html"
    description = "Writes a standalone HTML report of a table (with numeric summaries) or any value."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {**_TARGET, "title": {"type": "string", "maxLength": 200}},
        "required": ["input", "file_path"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        value = self.input_value(step, context)
        table = as_table(value) if isinstance(value, list | dict) and _is_tabular(value) else None
        document = render_report(step.config.get("title", step.name), value, table)
        path = resolve_write_path(str(step.config["file_path"]), context.env)
        return _written(path, write_atomically(path, lambda h: h.write(document.encode("utf-8"))), table)


def _is_tabular(value: Any) -> bool:
    if isinstance(value, dict):
        return isinstance(value.get("rows"), list) and all(isinstance(r, dict) for r in value["rows"])
    return bool(value) and all(isinstance(r, dict) for r in value)
