"""Refusing request bodies the schemas cannot judge: not JSON, or JSON that parses in Python but that no
database or client can hold (NaN, Infinity, integers past Python's digit limit, nesting past the parser's
recursion, lone surrogates, NUL characters). Each gets a 4xx saying what is wrong and where."""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, g, request
from werkzeug.exceptions import UnsupportedMediaType

from shared.errors import InvalidInput, Unparseable
from shared.storable import find_unstorable

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# Where the checked body is kept on ``flask.g`` for views that read it directly (``backend/api/lean_views``).
PARSED_BODY = "mimir_parsed_body"


def _refuse_constant(name: str) -> Any:
    raise Unparseable(f"request body: {name} is not a JSON number; send a finite number or null")


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:  # more digits than int() converts
        raise Unparseable(f"request body: an integer with {len(text)} digits is too large") from exc


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise Unparseable(f"request body: the number {text[:40]} is out of range (it would be Infinity)")
    return value


def _check_storable(value: Any) -> None:
    found = find_unstorable(value, "json")
    if found is None:  # non-finite numbers never get here: the parser refuses them
        return
    if found.kind == "nul":
        raise InvalidInput(
            f"request body: {found.where} holds a NUL character (\\u0000), which is not allowed"
        )
    raise InvalidInput(
        f"request body: {found.where} holds a lone surrogate ({found.value!r}), which is not valid Unicode"
    )


def check_request_body() -> None:
    """Raise a 415 or 400 for a body the API would otherwise misread (an empty body passes)."""
    if request.method not in _BODY_METHODS:
        return
    data = request.get_data(cache=True)
    if not data:
        return
    if not request.is_json:
        raise UnsupportedMediaType(
            "send the request body as JSON with 'Content-Type: application/json'"
            f" (got {request.mimetype or 'none'!r})"
        )
    try:
        text = data.decode("utf-8")
        value = json.loads(
            text, parse_constant=_refuse_constant, parse_int=_parse_int, parse_float=_parse_float
        )
    except (UnicodeDecodeError, json.JSONDecodeError):
        return  # the schema's parser answers these with "Invalid JSON body"
    except RecursionError as exc:
        raise Unparseable("request body: JSON nested too deeply") from exc
    _check_storable(value)
    setattr(g, PARSED_BODY, value)


def init_app(app: Flask) -> None:
    """Check every request body before its view parses it."""
    app.before_request(check_request_body)
