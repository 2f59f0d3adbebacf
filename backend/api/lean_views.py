"""A lean runtime path for the endpoints every job goes through (enqueue, wait), documented as before.

flask-smorest's ``@blp.arguments`` and ``@blp.response`` write the OpenAPI document and, on every call,
run webargs (locating, parsing and loading the arguments) and a marshmallow dump. On the two requests of
each job that machinery cost more than the domain work. ``lean_view`` keeps the decorated method as the
documented one (its ``_apidoc``, docstring and access declaration are what the document and the access
check read) and serves requests by a direct path: the JSON body the body check already parsed, loaded by
the same schema instance, and a body built without marshmallow. Whatever the direct path does not accept
(no JSON object, a validation error) goes through the documented method, so errors keep one format and
one wording.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from flask import Response, current_app, g
from marshmallow import Schema, ValidationError

from backend.access import access_of
from backend.request_body import PARSED_BODY

View = Callable[..., Any]


class Fallback(Exception):
    """Raised by a lean handler to have the documented method answer instead (its errors, its format)."""


def json_answer(body: Any, status: int) -> Response:
    """``body`` as flask-smorest's response wrapper would send it (``jsonify``, then the status)."""
    response = current_app.json.response(body)
    response.status_code = status
    return cast(Response, response)


def lean_view(documented: View, handle: Callable[..., Any], *, body_schema: Schema | None = None) -> View:
    """A view method answering with ``handle(*loaded_body, **view_args)`` (a ``Response``), documented as
    ``documented``; ``documented`` answers whatever ``handle`` leaves to it (``Fallback``) and any body
    ``body_schema`` refuses."""

    @wraps(documented)
    def view(self: Any, **view_args: Any) -> Any:
        try:
            if body_schema is None:
                return handle(**view_args)
            body = getattr(g, PARSED_BODY, None)
            if not isinstance(body, dict):
                raise Fallback
            try:
                loaded = body_schema.load(body)
            except ValidationError as error:
                raise Fallback from error
            return handle(loaded, **view_args)
        except Fallback:
            return documented(self, **view_args)

    # functools.wraps copied the docstring, ``_apidoc`` and the access declaration; say so where it matters.
    assert access_of(view) is access_of(documented) and getattr(view, "_apidoc", None) is not None
    return view
