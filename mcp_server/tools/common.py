"""Pieces the tool modules share: argument types with descriptions, and pages shaped as the HTTP API's."""

from __future__ import annotations

from typing import Annotated, Any

from marshmallow import Schema
from pydantic import Field

from mcp_server.door import Door
from shared.errors import InvalidInput

Page = Annotated[int, Field(description="1-based page number")]
PageSize = Annotated[int, Field(description="items per page (at most server.max_page_size)")]
Context_ = Annotated[
    dict[str, Any] | None, Field(description="the run's input context: a JSON object of named inputs")
]
JobId = Annotated[str, Field(description="the job's id (returned when it was enqueued)")]


def page_bounds(door: Door, query: dict[str, Any]) -> tuple[int, int]:
    """``(limit, offset)`` of a loaded page query; refuses a page size over ``server.max_page_size``."""
    size = int(query["page_size"])
    cap = door.services.settings.max_page_size
    if size > cap:
        raise InvalidInput(f"page_size: at most {cap}")
    return size, (int(query["page"]) - 1) * size


def page_of(
    schema: type[Schema], items: Any, total: int, query: dict[str, Any], limit: int
) -> dict[str, Any]:
    """One page as the HTTP API answers it (``{items, total, page, page_size}``)."""
    body = {"items": items, "total": total, "page": query["page"], "page_size": limit}
    dumped: dict[str, Any] = schema().dump(body)
    return dumped
