"""Tools of the vectors slice: semantic search in a collection."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import Context
from pydantic import Field

from backend.api.vectors import SearchResultSchema, SearchSchema
from mcp_server.catalog import mimir_tool
from mcp_server.door import door_of, load
from shared.vectors.config import VectorConfig
from shared.vectors.http import HttpAccess
from shared.vectors.permissions import VECTORS_READ
from shared.vectors.service import vector_service


@mimir_tool(VECTORS_READ, mirrors="POST /api/v1/vectors/collections/{name}/search")
async def search_vectors(
    ctx: Context,
    collection: Annotated[str, Field(description="the vector collection's name")],
    query: Annotated[str, Field(description="the text to find the nearest documents to")],
    limit: Annotated[int, Field(description="how many hits at most")] = 10,
    filter: Annotated[  # noqa: A002 - the HTTP API's field name
        dict[str, Any] | None, Field(description="a payload filter, as the HTTP API's search takes")
    ] = None,
    score_threshold: Annotated[float | None, Field(description="leave out hits scoring below it")] = None,
) -> dict[str, Any]:
    """The documents of a collection nearest to a text (embedded with the collection's embedder), best
    first, each with its key, score and payload."""
    door = door_of(ctx)
    body = load(
        SearchSchema(),
        {"query": query, "limit": limit, "filter": filter, "score_threshold": score_threshold},
    )

    def search() -> dict[str, Any]:
        settings = door.services.settings
        service = vector_service(VectorConfig.from_settings(settings), HttpAccess.from_settings(settings))
        hits = service.search(
            collection,
            text=body.get("query"),
            limit=body["limit"],
            filter=body.get("filter"),
            score_threshold=body.get("score_threshold"),
        )
        dumped: dict[str, Any] = SearchResultSchema().dump({"hits": [h.to_dict() for h in hits]})
        return dumped

    return await door.call(search)
