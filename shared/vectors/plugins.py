"""The vector pipeline steps: ``AI_Models.embed``, ``Output.vector_store``, ``Input.vector_search``.

They reach the store the run's environment names (``RunEnvironment.vectors``): the Qdrant server, or the
local store's owner process. Rows are embedded and stored batch by batch, so a large table never becomes
one huge request.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

from shared.errors import PluginError
from shared.plugins.base import Plugin, RunContext, StepSpec
from shared.plugins.table import as_table, make_table
from shared.vectors.config import VectorConfig
from shared.vectors.embedders import build_embedder, embed_batches
from shared.vectors.errors import CollectionNotFound
from shared.vectors.http import HttpAccess
from shared.vectors.model import DISTANCES, EmbedderSpec, as_vector, check_embedder, check_key, check_payload
from shared.vectors.service import MAX_LIMIT, VectorService, vector_service

_EMBEDDER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "kind": {"enum": ["hashing", "sentence", "http"]},
        "dimension": {"type": "integer", "minimum": 1, "maximum": 65536},
        "model": {"type": "string", "minLength": 1},
        "base_url": {"type": "string", "minLength": 1},
        "api_key_env": {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
    },
    "additionalProperties": False,
}
_COLLECTION = {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$"}
_COLUMN = {"type": "string", "minLength": 1}


def service_for(context: RunContext) -> VectorService:
    """The vector service of this run's process (an environment may also hand over a service itself)."""
    config = context.env.require("vectors", "this step uses the vector store")
    if isinstance(config, VectorService):
        return config
    if not isinstance(config, VectorConfig):
        raise PluginError(f"the run's vector store is a {type(config).__name__}, not a VectorConfig")
    return vector_service(config, HttpAccess.from_environment(context.env))


def _texts(rows: list[dict[str, Any]], columns: list[str]) -> Iterator[str]:
    for index, row in enumerate(rows):
        parts = [str(row[c]) for c in columns if row.get(c) not in (None, "")]
        if not parts:
            raise PluginError(f"row {index}: no text in column(s) {', '.join(columns)}")
        yield " ".join(parts)


class Embed(Plugin):
    """Adds a vector column holding the embedding of each row's text."""

    type = "AI_Models"
    name = "embed"
    description = (
        "Embed text columns of a table into a vector column, with a collection's embedder or a given one "
        "(default: hashing, 384 dimensions)."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "input": {"type": "string", "minLength": 1},
            "text_columns": {"type": "array", "items": _COLUMN, "minItems": 1},
            "vector_column": _COLUMN,
            "collection": _COLLECTION,
            "embedder": _EMBEDDER_SCHEMA,
        },
        "required": ["input", "text_columns"],
        "not": {"required": ["collection", "embedder"]},
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        config = step.config
        table = as_table(self.input_value(step, context), "config.input")
        column = config.get("vector_column", "vector")
        if config.get("collection"):
            spec = service_for(context).spec_of(config["collection"]).embedder
        else:
            spec = EmbedderSpec.from_dict(config.get("embedder"), where="config.embedder")
        embedder = build_embedder(spec, HttpAccess.from_environment(context.env))
        rows = table["rows"]
        start = 0
        for batch in embed_batches(embedder, _texts(rows, list(config["text_columns"])), context.stop):
            # Six decimals keep float32's precision and make the run context (stored with the job) shorter.
            for offset, vector in enumerate(np.round(batch.astype(np.float64), 6).tolist()):
                rows[start + offset] = {**rows[start + offset], column: vector}
            start += len(batch)
        columns = [*table["columns"], column] if column not in table["columns"] else table["columns"]
        # The embedder travels with the table, so Output.vector_store can refuse a collection of another.
        return {**make_table(rows, columns), "embedder": spec.to_dict()}


class VectorStoreOutput(Plugin):
    """Upserts a table's rows as points: vector, key (the point id derives from it) and payload."""

    type = "Output"
    name = "vector_store"
    description = (
        "Store rows in a vector collection (created if missing); a row whose key was stored before is "
        "replaced. Rows without a vector column are embedded from text_column by the collection's embedder."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "input": {"type": "string", "minLength": 1},
            "collection": _COLLECTION,
            "vector_column": _COLUMN,
            "text_column": _COLUMN,
            "key_column": _COLUMN,
            "payload_columns": {"type": "array", "items": _COLUMN},
            "create": {"type": "boolean"},
            "distance": {"enum": list(DISTANCES)},
            "batch_size": {"type": "integer", "minimum": 1, "maximum": 10000},
        },
        "required": ["input", "collection"],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        config = step.config
        value = self.input_value(step, context)
        table = as_table(value, "config.input")
        service = service_for(context)
        name = config["collection"]
        vector_column = config.get("vector_column", "vector")
        text_column = config.get("text_column")
        rows = table["rows"]
        if not rows:
            return {"collection": name, "upserted": 0}
        has_vectors = vector_column in rows[0]
        if not has_vectors and not text_column:
            raise PluginError(
                f"rows have no {vector_column!r} column; name a text_column to embed, or embed first"
            )
        carried = value.get("embedder") if isinstance(value, Mapping) else None
        embedder = EmbedderSpec.from_dict(carried) if carried and has_vectors else None
        info = self._collection(service, config, name, rows, vector_column if has_vectors else None, embedder)
        if not has_vectors:
            embedder = info.embedder
        check_embedder(info, embedder)  # before any row is read: one clear error, not one per row
        payload_columns = config.get("payload_columns") or [c for c in table["columns"] if c != vector_column]
        batch_size = min(int(config.get("batch_size", service.max_batch)), service.max_batch)
        written = 0
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            keys = [self._key(row, config, start + i) for i, row in enumerate(batch)]
            payloads = [
                check_payload({c: row.get(c) for c in payload_columns}, f"rows[{start + i}]")
                for i, row in enumerate(batch)
            ]
            if has_vectors:
                vectors = np.vstack(
                    [
                        as_vector(
                            row.get(vector_column), info.dimension, f"rows[{start + i}].{vector_column}"
                        )
                        for i, row in enumerate(batch)
                    ]
                )
            else:
                texts = _texts(batch, [str(text_column)])
                vectors = next(embed_batches(service.embedder_for(name), texts, context.stop))
            written += service.upsert_vectors(name, keys, vectors, payloads, embedder)
        return {"collection": name, "upserted": written}

    @staticmethod
    def _collection(
        service: VectorService,
        config: Mapping[str, Any],
        name: str,
        rows: list[dict[str, Any]],
        vector_column: str | None,
        embedder: EmbedderSpec | None,
    ) -> Any:
        try:
            return service.spec_of(name)
        except CollectionNotFound:
            if config.get("create") is False:
                raise
        if embedder is None and vector_column is not None:
            dimension = len(rows[0].get(vector_column) or [])
            embedder = EmbedderSpec(kind="none", dimension=dimension)
        return service.create_collection(name, distance=config.get("distance", "cosine"), embedder=embedder)

    @staticmethod
    def _key(row: Mapping[str, Any], config: Mapping[str, Any], index: int) -> str:
        column = config.get("key_column") or config.get("text_column")
        if not column:
            raise PluginError(
                "config.key_column: name the column that keys each document (re-ingesting replaces)"
            )
        return check_key(row.get(column), f"rows[{index}].{column}")


class VectorSearch(Plugin):
    """Searches a collection by text or vector; the hits become a table of key, score and payload."""

    type = "Input"
    name = "vector_search"
    description = (
        "Nearest points of a collection to a text (embedded by the collection's embedder) or a vector."
    )
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "properties": {
            "collection": _COLLECTION,
            "query": {"type": "string", "minLength": 1},
            "vector": {"type": "array", "items": {"type": "number"}, "minItems": 1},
            "filter": {"type": "object"},
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
            "score_threshold": {"type": "number"},
        },
        "required": ["collection"],
        "oneOf": [{"required": ["query"]}, {"required": ["vector"]}],
        "additionalProperties": False,
    }

    def execute_step(self, step: StepSpec, context: RunContext) -> Any:
        config = step.config
        hits = service_for(context).search(
            config["collection"],
            text=config.get("query"),
            vector=config.get("vector"),
            limit=int(config.get("limit", 10)),
            filter=config.get("filter"),
            score_threshold=config.get("score_threshold"),
            stop=context.stop,
        )
        rows = [{"key": h.key, "score": h.score, **h.payload} for h in hits]
        return make_table(rows, None if rows else ["key", "score"])
