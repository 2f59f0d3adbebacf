"""Pages of list endpoints: one query schema, one page schema per item type, one page body.

flask-smorest's ``@blp.paginate`` would move the total into an ``X-Pagination`` header and return a bare
list; the documented body (``{items, total, page, page_size}``) is kept, built here once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from marshmallow import Schema, fields, validate

from backend.api.request_schema import RequestSchema
from backend.services import services
from shared.errors import InvalidInput


class PageQuerySchema(RequestSchema):
    """Pagination: 1-based page, and page size."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))


def page_schema(item: type[Schema], description: str) -> type[Schema]:
    """The schema of a page of ``item``: ``{items, total, page, page_size}`` (named ``<Item>PageSchema``)."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    declared: dict[str, Any] = {
        "__doc__": description,
        "items": fields.List(fields.Nested(item)),
        "total": fields.Integer(),
        "page": fields.Integer(),
        "page_size": fields.Integer(),
    }
    return type(name, (Schema,), declared)


def page_body(items: Sequence[Any], total: int, query: dict[str, Any], limit: int) -> dict[str, Any]:
    """The body of one page, for a schema made by :func:`page_schema`."""
    return {"items": items, "total": total, "page": query["page"], "page_size": limit}


def page_bounds(query: dict[str, Any]) -> tuple[int, int]:
    """``(limit, offset)`` for a 1-based page; refuses a ``page_size`` over the configured cap."""
    size = int(query["page_size"])
    cap = services().settings.max_page_size
    if size > cap:
        raise InvalidInput(f"page_size: at most {cap}")
    return size, (int(query["page"]) - 1) * size
