"""``/api/v1/vectors``: collections, points and semantic search. Views parse, call the vector service, return.

Text is embedded in this process with the collection's embedder; the store is the Qdrant server, or the
local store's owner process (see ``shared/vectors``).
"""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from backend.access import requires
from backend.services import services
from shared.vectors.config import VectorConfig
from shared.vectors.http import HttpAccess
from shared.vectors.model import DISTANCES, Hit
from shared.vectors.permissions import VECTORS_READ, VECTORS_WRITE
from shared.vectors.service import MAX_LIMIT, VectorService, vector_service

blp = Blueprint(
    "vectors", __name__, url_prefix="/api/v1/vectors", description="Vector collections and search"
)
blueprints = (blp,)


def _service() -> VectorService:
    settings = services().settings
    return vector_service(VectorConfig.from_settings(settings), HttpAccess.from_settings(settings))


class EmbedderSchema(Schema):
    """Which embedder a collection's vectors come from."""

    kind = fields.String(validate=validate.OneOf(["hashing", "sentence", "http", "none"]))
    dimension = fields.Integer(strict=True, validate=validate.Range(min=1, max=65536))
    model = fields.String(validate=validate.Length(min=1, max=200))
    base_url = fields.String(validate=validate.Length(min=1, max=2048))
    api_key_env = fields.String(validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]*$"))


class CollectionCreateSchema(Schema):
    """A new collection: its name, and optionally dimension, distance and embedder (default: hashing/384)."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=63))
    dimension = fields.Integer(strict=True, validate=validate.Range(min=1, max=65536))
    distance = fields.String(load_default="cosine", validate=validate.OneOf(DISTANCES))
    embedder = fields.Nested(EmbedderSchema)


class CollectionSchema(Schema):
    """A collection with its point count."""

    name = fields.String()
    dimension = fields.Integer()
    distance = fields.String()
    embedder = fields.Nested(EmbedderSchema)
    points = fields.Integer()


class PointSchema(Schema):
    """One document: text (embedded by the collection's embedder) or a vector; the key (else the text)
    names it, so storing the same key again replaces it."""

    key = fields.String(validate=validate.Length(min=1, max=1024))
    text = fields.String(validate=validate.Length(min=1, max=100_000))
    vector = fields.Raw(metadata={"type": "array", "items": {"type": "number"}})  # checked in one numpy pass
    payload = fields.Dict(keys=fields.String())


class UpsertSchema(Schema):
    """Points to store (at most ``vectors.max_batch``)."""

    points = fields.List(fields.Nested(PointSchema), required=True, validate=validate.Length(min=1))


class UpsertedSchema(Schema):
    """How many points were written."""

    collection = fields.String()
    upserted = fields.Integer()


class PointDeleteSchema(Schema):
    """Which points to delete: by document keys, point ids, or a payload filter (exactly one)."""

    keys = fields.List(fields.String(validate=validate.Length(min=1, max=1024)))
    ids = fields.List(fields.String(validate=validate.Length(min=1, max=64)))
    filter = fields.Dict(keys=fields.String())


class SearchSchema(Schema):
    """A query text or a vector, with an optional payload filter."""

    query = fields.String(validate=validate.Length(max=100_000))
    vector = fields.List(fields.Float(allow_nan=False))
    filter = fields.Dict(keys=fields.String())
    limit = fields.Integer(strict=True, load_default=10, validate=validate.Range(min=1, max=MAX_LIMIT))
    score_threshold = fields.Float(allow_nan=False)


class HitSchema(Schema):
    """A point found: its id, document key, score and payload."""

    id = fields.String()
    key = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    payload = fields.Dict()


class SearchResultSchema(Schema):
    """The hits, best first."""

    hits = fields.List(fields.Nested(HitSchema))


class ScrollQuerySchema(Schema):
    """A page of points: its size and where it starts (the previous page's ``next_offset``)."""

    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))
    offset = fields.String(validate=validate.Length(min=1, max=64))


class PointPageSchema(Schema):
    """A page of points and the offset of the next one (null at the end)."""

    items = fields.List(fields.Nested(HitSchema))
    next_offset = fields.String(allow_none=True)


def _hits(hits: list[Hit]) -> list[dict[str, Any]]:
    return [h.to_dict() for h in hits]


@blp.route("/collections")
class Collections(MethodView):
    @requires(VECTORS_READ)
    @blp.response(200, CollectionSchema(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Every collection, with its dimension, embedder and point count."""
        return [c.to_dict() for c in _service().list_collections()]

    @requires(VECTORS_WRITE)
    @blp.arguments(CollectionCreateSchema)
    @blp.response(201, CollectionSchema)
    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Create a collection; it remembers its embedder, and vectors of another are refused."""
        return (
            _service()
            .create_collection(
                body["name"],
                dimension=body.get("dimension"),
                distance=body["distance"],
                embedder=body.get("embedder"),
            )
            .to_dict()
        )


@blp.route("/collections/<name>")
class CollectionByName(MethodView):
    @requires(VECTORS_READ)
    @blp.response(200, CollectionSchema)
    def get(self, name: str) -> dict[str, Any]:
        """One collection."""
        return _service().collection_info(name).to_dict()

    @requires(VECTORS_WRITE)
    @blp.response(204)
    def delete(self, name: str) -> None:
        """Delete a collection and all its points."""
        _service().delete_collection(name)


@blp.route("/collections/<name>/points")
class Points(MethodView):
    @requires(VECTORS_READ)
    @blp.arguments(ScrollQuerySchema, location="query")
    @blp.response(200, PointPageSchema)
    def get(self, query: dict[str, Any], name: str) -> dict[str, Any]:
        """A page of the collection's points, in id order."""
        hits, next_offset = _service().scroll(name, limit=query["limit"], offset=query.get("offset"))
        return {"items": _hits(hits), "next_offset": next_offset}

    @requires(VECTORS_WRITE)
    @blp.arguments(UpsertSchema)
    @blp.response(200, UpsertedSchema)
    def post(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        """Store documents (text or vectors); a key stored before is replaced."""
        return {"collection": name, "upserted": _service().upsert_documents(name, body["points"])}

    @requires(VECTORS_WRITE)
    @blp.arguments(PointDeleteSchema)
    @blp.response(204)
    def delete(self, body: dict[str, Any], name: str) -> None:
        """Delete points by document keys, point ids or a payload filter."""
        _service().delete_points(name, keys=body.get("keys"), ids=body.get("ids"), filter=body.get("filter"))


@blp.route("/collections/<name>/search")
class Search(MethodView):
    @requires(VECTORS_READ)
    @blp.arguments(SearchSchema)
    @blp.response(200, SearchResultSchema)
    def post(self, body: dict[str, Any], name: str) -> dict[str, Any]:
        """The nearest points to a text (embedded by the collection's embedder) or a vector."""
        hits = _service().search(
            name,
            text=body.get("query"),
            vector=body.get("vector"),
            limit=body["limit"],
            filter=body.get("filter"),
            score_threshold=body.get("score_threshold"),
        )
        return {"hits": _hits(hits)}
