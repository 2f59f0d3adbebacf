"""Document input plugins: Markdown (headings, tables, links) and XML (a tree, or a table of records)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any, ClassVar

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.builtin.file_inputs import _ONE_SOURCE, _SOURCE, infer_value, read_text
from shared.plugins.table import make_table

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")


class MarkdownInput(Plugin):
    """Reads Markdown: its text, title, headings, pipe tables (as tables) and links."""

    type = "Input"
    name = "markdown"
    description = "Reads Markdown into {text, title, headings, tables, links}; pipe tables become tables."
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": dict(_SOURCE),
        "oneOf": _ONE_SOURCE,
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        text = read_text(step, context)
        lines = text.splitlines()
        headings = [
            {"level": len(m.group(1)), "text": m.group(2)}
            for m in (_HEADING.match(line) for line in lines)
            if m
        ]
        return {
            "text": text,
            "title": headings[0]["text"] if headings else None,
            "headings": headings,
            "tables": _pipe_tables(lines),
            "links": [{"text": m.group(1), "url": m.group(2)} for m in _LINK.finditer(text)],
        }


def _pipe_tables(lines: list[str]) -> list[dict[str, Any]]:
    tables = []
    i = 0
    while i < len(lines) - 1:
        if "|" in lines[i] and _TABLE_SEPARATOR.match(lines[i + 1]):
            columns = _cells(lines[i])
            rows = []
            i += 2
            while i < len(lines) and "|" in lines[i] and lines[i].strip():
                cells = _cells(lines[i])
                rows.append(
                    {c: infer_value(cells[k]) if k < len(cells) else None for k, c in enumerate(columns)}
                )
                i += 1
            tables.append(make_table(rows, columns))
        else:
            i += 1
    return tables


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    if stripped.startswith("|"):
        stripped = stripped[1:]
    if stripped.endswith("|"):
        stripped = stripped[:-1]
    return [cell.strip() for cell in stripped.split("|")]


class XmlInput(Plugin):
    """Reads XML into a tree, or a table of the elements named ``record_tag``. DTDs are refused."""

    type = "Input"
    name = "xml"
    description = (
        "Reads XML into {tag, attributes, text, children}; with record_tag, a table of those elements."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {**_SOURCE, "record_tag": {"type": "string", "minLength": 1}},
        "oneOf": _ONE_SOURCE,
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        text = read_text(step, context)
        if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
            # Entity expansion is how XML bombs and external-entity reads work; pipelines never need a DTD.
            raise PluginError("XML with a DOCTYPE or ENTITY declaration is refused")
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as exc:
            raise PluginError(f"not well-formed XML: {exc}") from exc
        record_tag = step.config.get("record_tag")
        if record_tag:
            rows = [_record(element) for element in root.iter(record_tag)]
            return make_table(rows)
        return _tree(root)


def _tree(element: ElementTree.Element) -> dict[str, Any]:
    return {
        "tag": element.tag,
        "attributes": dict(element.attrib),
        "text": (element.text or "").strip() or None,
        "children": [_tree(child) for child in element],
    }


def _record(element: ElementTree.Element) -> dict[str, Any]:
    row: dict[str, Any] = {f"@{k}": infer_value(v) for k, v in element.attrib.items()}
    for child in element:
        row[child.tag] = infer_value(child.text or "")
    return row
