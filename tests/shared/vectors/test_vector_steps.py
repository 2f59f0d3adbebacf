"""The vector steps over a store in this process: embed, store, search, and what they refuse."""

from __future__ import annotations

from typing import Any

import pytest

from shared.errors import PluginError
from shared.vectors.errors import EmbedderMismatch
from shared.vectors.service import VectorService
from tests.shared.plugins.steps import config_problems, run_step
from tests.shared.vectors.chat_server import chat_server
from tests.shared.vectors.corpus import DOCUMENTS, LEXICAL_QUERIES

TABLE = {"columns": ["id", "body"], "rows": [{"id": k, "body": t} for k, t in DOCUMENTS.items()]}


def _embed(service: VectorService, **config: Any) -> Any:
    return run_step(
        "AI_Models.embed",
        {"input": "docs", "text_columns": ["body"], **config},
        values={"docs": TABLE},
        vectors=service,
    )


def _store(service: VectorService, table: Any, **config: Any) -> Any:
    return run_step(
        "Output.vector_store",
        {"input": "embedded", "collection": "docs", "key_column": "id", **config},
        values={"embedded": table},
        vectors=service,
    )


def test_embed_adds_a_vector_column_and_names_its_embedder(memory_service: VectorService) -> None:
    result = _embed(memory_service)

    assert result["columns"] == ["id", "body", "vector"]
    assert all(len(r["vector"]) == 384 for r in result["rows"])
    assert result["embedder"] == {"kind": "hashing", "dimension": 384}


def test_stored_rows_are_found_by_a_search_step(memory_service: VectorService) -> None:
    written = _store(memory_service, _embed(memory_service), payload_columns=["body"])

    query, expected = next(iter(LEXICAL_QUERIES.items()))
    hits = run_step(
        "Input.vector_search", {"collection": "docs", "query": query, "limit": 2}, vectors=memory_service
    )

    assert written == {"collection": "docs", "upserted": len(DOCUMENTS)}
    assert hits["columns"] == ["key", "score", "body"]
    assert hits["rows"][0]["key"] == expected and hits["rows"][0]["body"] == DOCUMENTS[expected]


def test_storing_the_same_rows_again_does_not_duplicate_them(memory_service: VectorService) -> None:
    embedded = _embed(memory_service)
    _store(memory_service, embedded)
    _store(memory_service, embedded, batch_size=2)

    assert memory_service.collection_info("docs").points == len(DOCUMENTS)


def test_rows_with_text_only_are_embedded_by_the_collections_embedder(memory_service: VectorService) -> None:
    memory_service.create_collection("docs", embedder={"dimension": 64})

    _store(memory_service, TABLE, text_column="body")

    assert memory_service.collection_info("docs").points == len(DOCUMENTS)
    assert memory_service.search("docs", text="lemon cake icing", limit=1)[0].key == "cake"


def test_vectors_from_another_embedder_are_refused(memory_service: VectorService) -> None:
    memory_service.create_collection("docs", embedder={"dimension": 384, "kind": "hashing"})
    other = _embed(memory_service, embedder={"kind": "hashing", "dimension": 32})

    with pytest.raises(EmbedderMismatch, match="holds vectors of hashing/384, these were made by hashing/32"):
        _store(memory_service, other)


def test_embedding_with_a_collections_embedder_matches_it(memory_service: VectorService) -> None:
    memory_service.create_collection("docs", embedder={"dimension": 128})

    assert len(_embed(memory_service, collection="docs")["rows"][0]["vector"]) == 128


def test_an_empty_table_stores_nothing(memory_service: VectorService) -> None:
    assert _store(memory_service, {"columns": ["id"], "rows": []}) == {"collection": "docs", "upserted": 0}


def test_a_row_without_text_is_named(memory_service: VectorService) -> None:
    table = {"columns": ["body"], "rows": [{"body": "x"}, {"body": ""}]}

    with pytest.raises(PluginError, match="row 1: no text in column"):
        run_step(
            "AI_Models.embed",
            {"input": "t", "text_columns": ["body"]},
            values={"t": table},
            vectors=memory_service,
        )


def test_a_step_without_a_vector_store_says_so() -> None:
    with pytest.raises(
        PluginError,
        match="this step uses the vector store, and this run has no vectors: run the pipeline as a job",
    ):
        run_step("Input.vector_search", {"collection": "docs", "query": "x"})


def test_a_search_step_needs_exactly_one_of_query_and_vector() -> None:
    assert config_problems("Input.vector_search", {"collection": "docs"})
    assert config_problems("Input.vector_search", {"collection": "docs", "query": "a", "vector": [1.0]})


def test_the_http_embedder_asks_the_embeddings_endpoint_in_batches(memory_service: VectorService) -> None:
    with chat_server() as server:
        embedder = {"kind": "http", "base_url": server.url, "model": "emb", "dimension": 3}
        result = run_step(
            "AI_Models.embed",
            {"input": "docs", "text_columns": ["body"], "embedder": embedder},
            values={"docs": TABLE},
            vectors=memory_service,
            http_allowlist=("127.0.0.1",),
        )

    assert server.requests[0]["path"] == "/v1/embeddings"
    assert server.requests[0]["body"]["input"] == [t for t in DOCUMENTS.values()]
    assert result["rows"][0]["vector"] == [float(len(DOCUMENTS["cats"])), 1.0, 0.0]
