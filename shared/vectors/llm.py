"""``AI_Models.llm``: chat completions from a pipeline, once or per row of a table.

``{{ key }}`` in the messages refers to the run context, as in every step (the engine renders it).
With ``input`` naming a table the step asks once per row, and ``[[ column ]]`` in the messages is that
row's value (a different bracket, because the engine renders ``{{ }}`` before the step sees its config).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, ClassVar

import jsonschema

from shared.errors import PluginError, Problem
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.table import as_table, make_table
from shared.stopping import StopSignal
from shared.vectors.chat import ChatRequest, complete, parse_json_answer
from shared.vectors.http import HttpAccess

_ROW_REFERENCE = re.compile(r"\[\[\s*([^\]\s][^\]]*?)\s*\]\]")


class LanguageModel(Plugin):
    """Asks an OpenAI-compatible chat model; JSON answers are parsed and checked when asked for."""

    type = "AI_Models"
    name = "llm"
    description = (
        "Chat completions against an OpenAI-compatible endpoint (base_url, model, messages), once or per row "
        "of a table; retries 429/5xx with backoff; JSON answers parsed and validated against json_schema."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "base_url": {"type": "string", "minLength": 1, "maxLength": 2048},
            "model": {"type": "string", "minLength": 1},
            "messages": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "properties": {
                        "role": {"enum": ["system", "user", "assistant"]},
                        "content": {"type": "string"},
                    },
                    "required": ["role", "content"],
                    "additionalProperties": False,
                },
            },
            "input": {"type": "string", "minLength": 1},
            "output_column": {"type": "string", "minLength": 1},
            "temperature": {"type": "number", "minimum": 0, "maximum": 2},
            "max_tokens": {"type": "integer", "minimum": 1},
            "timeout_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 600},
            "retries": {"type": "integer", "minimum": 0, "maximum": 10},
            "backoff_seconds": {"type": "number", "minimum": 0, "maximum": 60},
            "api_key_env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "json_output": {"type": "boolean"},
            "json_schema": {"type": "object"},
            "max_rows": {"type": "integer", "minimum": 1, "maximum": 10000},
        },
        "required": ["base_url", "model", "messages"],
        "additionalProperties": False,
    }

    def validate_config(self, config: dict[str, Any], *, allow_templates: bool = False) -> list[Problem]:
        problems = super().validate_config(config, allow_templates=allow_templates)
        schema = config.get("json_schema")
        if isinstance(schema, dict):
            try:
                jsonschema.Draft202012Validator.check_schema(schema)
            except jsonschema.SchemaError as exc:
                problems.append(Problem("config.json_schema", f"not a valid JSON Schema: {exc.message}"))
        return problems

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        config = step.config
        access = HttpAccess.from_environment(context.env)
        schema = config.get("json_schema")
        wants_json = bool(config.get("json_output") or schema)
        if not config.get("input"):
            answer = self._ask(config, config["messages"], access, wants_json, context.stop)
            return {**answer, "model": config["model"]}
        table = as_table(self.input_value(step, context), "config.input")
        limit = int(config.get("max_rows", 1000))
        if len(table["rows"]) > limit:
            raise PluginError(
                f"config.input has {len(table['rows'])} rows; at most {limit} (config.max_rows)"
            )
        column = config.get("output_column", "llm")
        rows = []
        for index, row in enumerate(table["rows"]):
            messages = [{**m, "content": _fill_row(m["content"], row, index)} for m in config["messages"]]
            answer = self._ask(config, messages, access, wants_json, context.stop)
            rows.append({**row, column: answer["json"] if wants_json else answer["content"]})
        columns = table["columns"] if column in table["columns"] else [*table["columns"], column]
        return make_table(rows, columns)

    @staticmethod
    def _ask(
        config: Mapping[str, Any],
        messages: list[dict[str, str]],
        access: HttpAccess,
        wants_json: bool,
        stop: StopSignal,
    ) -> dict[str, Any]:
        request = ChatRequest(
            base_url=config["base_url"],
            model=config["model"],
            messages=messages,
            temperature=config.get("temperature"),
            max_tokens=config.get("max_tokens"),
            api_key_env=config.get("api_key_env"),
            timeout_seconds=float(config.get("timeout_seconds", 60)),
            retries=int(config.get("retries", 3)),
            backoff_seconds=float(config.get("backoff_seconds", 1.0)),
            json_output=wants_json,
        )
        answer = complete(request, access, stop=stop)
        result: dict[str, Any] = {
            "content": answer.content,
            "attempts": answer.attempts,
            "usage": answer.usage,
        }
        if wants_json:
            result["json"] = parse_json_answer(answer.content, config.get("json_schema"))
        return result


def _fill_row(content: str, row: Mapping[str, Any], index: int) -> str:
    def value(match: re.Match[str]) -> str:
        column = match.group(1)
        if column not in row:
            raise PluginError(f"row {index}: [[ {column} ]] names no column of the row ({', '.join(row)})")
        cell = row[column]
        return cell if isinstance(cell, str) else json.dumps(cell, default=str)

    return _ROW_REFERENCE.sub(value, content)
