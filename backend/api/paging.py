"""Page arithmetic shared by list endpoints."""

from __future__ import annotations

from typing import Any

from backend.services import services
from shared.errors import InvalidInput


def page_bounds(query: dict[str, Any]) -> tuple[int, int]:
    """``(limit, offset)`` for a 1-based page; refuses a ``page_size`` over the configured cap."""
    size = int(query["page_size"])
    cap = services().settings.max_page_size
    if size > cap:
        raise InvalidInput(f"page_size: at most {cap}")
    return size, (int(query["page"]) - 1) * size
