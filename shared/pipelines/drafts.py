"""Checking unsaved pipeline YAML: every problem with where it is in the pipeline and in the text (line and
column), so an editor (the web UI's, an AI assistant's) can point at it. Nothing is stored."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from shared.errors import InvalidInput, PipelineValidationError
from shared.pipelines.source_lines import parse_error_position, position_of
from shared.pipelines.validation import load_single_pipeline
from shared.plugins.registry import PluginRegistry


@dataclass(frozen=True)
class LocatedProblem:
    """One problem: its path in the pipeline, and its 1-based line and column in the text when known."""

    location: str
    message: str
    line: int | None
    column: int | None


def check_draft(text: str, registry: PluginRegistry, context_keys: list[str]) -> dict[str, Any]:
    """``{"valid": bool, "errors": [problem...]}`` for ``text`` against the installed plugins."""
    try:
        load_single_pipeline(text, registry, context_keys=context_keys)
    except PipelineValidationError as exc:
        problems = [_located(text, p.location, p.message) for p in exc.problems]
    except InvalidInput as exc:  # does not parse, or not a pipeline's shape
        position = parse_error_position(exc.message)
        problems = [
            LocatedProblem(
                "", exc.message, position.line if position else None, position.column if position else None
            )
        ]
    else:
        problems = []
    return {"valid": not problems, "errors": [asdict(p) for p in problems]}


def _located(text: str, location: str, message: str) -> LocatedProblem:
    position = position_of(text, location)
    return LocatedProblem(
        location, message, position.line if position else None, position.column if position else None
    )
