"""File input plugins: CSV, JSON, Excel, Markdown, XML — from a file in the data directories or inline."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from datetime import date, datetime, time
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.paths import resolve_read_path
from shared.plugins.table import make_table

_SOURCE = {
    "file_path": {"type": "string", "minLength": 1, "description": "file inside a data directory"},
    "content": {"type": "string", "description": "the document itself, instead of a file"},
    "encoding": {"type": "string", "default": "utf-8"},
}
_ONE_SOURCE = [{"required": ["file_path"]}, {"required": ["content"]}]


def read_text(step: StepSpec, context: RunContext) -> str:
    """The step's document: inline ``content`` or the text of ``file_path``."""
    if "content" in step.config:
        return str(step.config["content"])
    path = resolve_read_path(str(step.config["file_path"]), context.env)
    try:
        return path.read_text(encoding=step.config.get("encoding", "utf-8"))
    except UnicodeDecodeError as exc:
        raise PluginError(f"{step.config['file_path']}: not valid {exc.encoding} text") from exc


def infer_value(text: str) -> Any:
    """A CSV cell as the value it spells: int, float, bool, None for empty, else the text."""
    stripped = text.strip()
    if stripped == "":
        return None
    lowered = stripped.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if re.fullmatch(r"[+-]?\d{1,18}", stripped):
        return int(stripped)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", stripped):
        return float(stripped)
    return text


class CsvInput(Plugin):
    """Reads CSV into a table."""

    type = "Input"
    name = "csv"
    description = "Reads a CSV file (or inline content) into a table; infers numbers and booleans."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            **_SOURCE,
            "delimiter": {"type": "string", "minLength": 1, "maxLength": 1, "default": ","},
            "has_header": {"type": "boolean", "default": True},
            "infer_types": {"type": "boolean", "default": True},
        },
        "oneOf": _ONE_SOURCE,
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        reader = csv.reader(
            io.StringIO(read_text(step, context)), delimiter=step.config.get("delimiter", ",")
        )
        records = [r for r in reader if r]
        if not records:
            return make_table([], [])
        if step.config.get("has_header", True):
            columns, body = [c.strip() for c in records[0]], records[1:]
        else:
            columns, body = [f"col_{i + 1}" for i in range(max(len(r) for r in records))], records
        convert = infer_value if step.config.get("infer_types", True) else (lambda v: v)
        rows = []
        for number, record in enumerate(body, start=2 if step.config.get("has_header", True) else 1):
            if len(record) > len(columns):
                raise PluginError(f"line {number}: {len(record)} fields but {len(columns)} columns")
            rows.append({c: convert(record[i]) if i < len(record) else None for i, c in enumerate(columns)})
        return make_table(rows, columns)


class JsonInput(Plugin):
    """Reads JSON; a list of objects becomes a table."""

    type = "Input"
    name = "json"
    description = "Reads a JSON document; a list of objects (optionally at records_path) becomes a table."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {**_SOURCE, "records_path": {"type": "string", "minLength": 1}},
        "oneOf": _ONE_SOURCE,
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        try:
            value = json.loads(read_text(step, context))
        except json.JSONDecodeError as exc:
            raise PluginError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
        for part in (
            str(step.config.get("records_path", "")).split(".") if step.config.get("records_path") else []
        ):
            if isinstance(value, dict) and part in value:
                value = value[part]
            elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
                value = value[int(part)]
            else:
                raise PluginError(f"records_path: no part {part!r} in the document")
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return make_table(value)
        return value


class ExcelInput(Plugin):
    """Reads one sheet of an .xlsx workbook into a table (openpyxl)."""

    type = "Input"
    name = "excel"
    description = "Reads a sheet of an .xlsx file into a table; dates become ISO strings."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "file_path": {"type": "string", "minLength": 1},
            "sheet": {"type": "string", "minLength": 1},
            "has_header": {"type": "boolean", "default": True},
        },
        "required": ["file_path"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        path = resolve_read_path(str(step.config["file_path"]), context.env)
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
            raise PluginError(f"{step.config['file_path']}: not a readable .xlsx workbook ({exc})") from exc
        try:
            sheet_name = step.config.get("sheet")
            if sheet_name is not None and sheet_name not in workbook.sheetnames:
                raise PluginError(f"no sheet {sheet_name!r} (sheets: {', '.join(workbook.sheetnames)})")
            sheet = workbook[sheet_name] if sheet_name else workbook.active
            records = [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
        records = [r for r in records if any(v is not None for v in r)]
        if not records:
            return make_table([], [])
        if step.config.get("has_header", True):
            columns = [str(c) if c is not None else f"col_{i + 1}" for i, c in enumerate(records[0])]
            body = records[1:]
        else:
            columns, body = [f"col_{i + 1}" for i in range(len(records[0]))], records
        return make_table([dict(zip(columns, r, strict=False)) for r in body], columns)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
