"""One error body everywhere: ``{"code", "status", "message", "errors"}``, from one place.

The rule: 400 for a request that cannot be parsed (broken JSON or YAML, a number no parser holds), 422 for a
well-formed request that fails validation, and ``errors`` is always a list of ``{"location", "message"}``
(empty when the message says it all)."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, jsonify
from flask_smorest import Api
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from shared.errors import ErrorKind, MimirError

log = logging.getLogger(__name__)

# The one place a domain error becomes an HTTP status.
STATUS_OF_KIND: dict[ErrorKind, int] = {
    ErrorKind.INTERNAL: 500,
    ErrorKind.INVALID_INPUT: 422,
    ErrorKind.UNPARSEABLE: 400,
    ErrorKind.INVALID_DEFINITION: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.UNAVAILABLE: 503,
}


def error_response(code: int, message: str, errors: Any = None) -> tuple[Response, int]:
    """The house error body for ``code``."""
    body: dict[str, Any] = {
        "code": code,
        "status": HTTPStatus(code).phrase,
        "message": message,
        "errors": located_errors(errors),
    }
    return jsonify(body), code


def located_errors(errors: Any) -> list[dict[str, str]]:
    """``errors`` in the one shape: a list of ``{"location", "message"}``."""
    if not errors:
        return []
    if isinstance(errors, list) and all(isinstance(e, dict) and "location" in e for e in errors):
        return [{"location": str(e["location"]), "message": str(e.get("message", ""))} for e in errors]
    return [{"location": where, "message": text} for where, text in _flatten(errors)]


class MimirApi(Api):
    """flask-smorest's Api with the house error body (validation messages spelled out)."""

    def handle_http_exception(self, error: HTTPException) -> tuple[Response, int]:
        code = error.code or 500
        data = getattr(error, "data", None) or {}
        errors = data.get("messages") or data.get("errors")
        message = (
            data.get("message")
            or _describe_validation(errors)
            or error.description
            or HTTPStatus(code).phrase
        )
        return error_response(code, message, errors)


def register_error_handlers(app: Flask) -> None:
    """Map domain errors and unexpected ones to the house body (no stack trace leaves the server)."""

    @app.errorhandler(MimirError)
    def _domain_error(error: MimirError) -> tuple[Response, int]:
        return error_response(STATUS_OF_KIND[error.kind], error.message, error.errors)

    @app.errorhandler(OperationalError)
    def _database_down(error: OperationalError) -> tuple[Response, int]:
        log.warning("database unavailable: %s", error.orig)
        return error_response(503, "the database is unavailable; try again shortly")

    @app.errorhandler(DBAPIError)
    def _database_error(error: DBAPIError) -> tuple[Response, int]:
        log.exception("database error")
        return error_response(500, "internal database error")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[Response, int]:
        if isinstance(error, HTTPException):
            return error_response(error.code or 500, error.description or "error")
        log.exception("unhandled error")
        return error_response(500, "internal error; it has been logged")


def _describe_validation(errors: Any) -> str | None:
    if not isinstance(errors, dict):
        return None
    parts = [f"{where}: {text}" for where, text in _flatten(errors)]
    return "invalid request: " + "; ".join(parts[:10]) if parts else None


def _flatten(errors: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(errors, dict):
        out: list[tuple[str, str]] = []
        for key, value in errors.items():
            where = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, where))
        return out
    if isinstance(errors, list) and all(isinstance(e, str) for e in errors):
        return [(prefix, " ".join(errors))]
    if isinstance(errors, list):
        return [item for e in errors for item in _flatten(e, prefix)]
    return [(prefix, str(errors))]
