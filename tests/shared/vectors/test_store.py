"""Collections and points through the service over a store in this process."""

from __future__ import annotations

import numpy as np
import pytest

from shared.vectors.errors import (
    BatchTooLarge,
    CollectionNotFound,
    EmbedderMismatch,
    VectorInputError,
)
from shared.vectors.model import EmbedderSpec
from shared.vectors.service import VectorService
from tests.shared.vectors.corpus import DOCUMENTS, LEXICAL_QUERIES


def _ingest(service: VectorService, name: str = "docs") -> None:
    service.create_collection(name)
    service.upsert_documents(
        name, [{"key": k, "text": t, "payload": {"title": k}} for k, t in DOCUMENTS.items()]
    )


@pytest.mark.parametrize(("query", "expected"), sorted(LEXICAL_QUERIES.items()))
def test_the_nearest_document_is_the_one_sharing_the_query_words(
    memory_service: VectorService, query: str, expected: str
) -> None:
    _ingest(memory_service)

    hits = memory_service.search("docs", text=query, limit=3)

    assert hits[0].key == expected
    assert hits[0].payload == {"title": expected}
    assert hits[0].score is not None and hits[0].score > hits[1].score  # type: ignore[operator]


def test_ingesting_the_same_documents_again_replaces_them(memory_service: VectorService) -> None:
    _ingest(memory_service)
    memory_service.upsert_documents("docs", [{"key": "cake", "text": "carrot cake", "payload": {"v": 2}}])
    memory_service.upsert_documents(
        "docs", [{"key": k, "text": t, "payload": {"title": k}} for k, t in DOCUMENTS.items() if k != "cake"]
    )

    assert memory_service.collection_info("docs").points == len(DOCUMENTS)
    assert memory_service.search("docs", text="carrot cake", limit=1)[0].payload == {"v": 2}


def test_a_collection_reports_its_points_dimension_and_embedder(memory_service: VectorService) -> None:
    _ingest(memory_service)

    info = memory_service.collection_info("docs").to_dict()

    assert info == {
        "name": "docs",
        "dimension": 384,
        "distance": "cosine",
        "embedder": {"kind": "hashing", "dimension": 384},
        "points": len(DOCUMENTS),
    }


def test_payload_filters_narrow_the_search(memory_service: VectorService) -> None:
    _ingest(memory_service)

    hits = memory_service.search("docs", text="lemon cake", filter={"title": ["garden", "stocks"]}, limit=5)

    assert {h.key for h in hits} == {"garden", "stocks"}


def test_points_can_be_deleted_by_key_by_id_or_by_filter(memory_service: VectorService) -> None:
    _ingest(memory_service)
    [garden] = memory_service.search("docs", text="tomato plants garden", limit=1)

    memory_service.delete_points("docs", keys=["cake"])
    memory_service.delete_points("docs", ids=[garden.id])
    memory_service.delete_points("docs", filter={"title": "cats"})

    remaining = {h.key for h in memory_service.scroll("docs", limit=100)[0]}
    assert remaining == set(DOCUMENTS) - {"cake", "cats", "garden"}


def test_scroll_pages_through_every_point_once(memory_service: VectorService) -> None:
    _ingest(memory_service)
    seen: list[str | None] = []
    offset = None
    while True:
        page, offset = memory_service.scroll("docs", limit=4, offset=offset)
        seen += [h.key for h in page]
        if offset is None:
            break

    assert sorted(seen) == sorted(DOCUMENTS)  # type: ignore[type-var]


def test_vectors_of_another_embedder_are_refused_naming_both(memory_service: VectorService) -> None:
    memory_service.create_collection("docs")
    other = EmbedderSpec(kind="hashing", dimension=384, model="x")

    with pytest.raises(
        EmbedderMismatch, match="holds vectors of hashing/384, these were made by hashing:x/384"
    ):
        memory_service.backend.upsert("docs", ["a"], np.ones((1, 384)), [{}], other)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.search("docs", vector=[0.1] * 3), "vector: has 3 dimensions; the collection has 384"),
        (lambda s: s.search("docs", vector=[float("nan")] * 384), "vector: holds NaN"),
        (lambda s: s.search("docs", text="   "), "query: expected non-empty text"),
        (lambda s: s.search("docs"), "query: give exactly one of query"),
        (lambda s: s.search("docs", text="x", limit=0), "limit: expected 1-1000"),
        (lambda s: s.search("docs", text="x", filter={"n": 1.5}), "filter.n: expected a string"),
        (lambda s: s.upsert_documents("docs", [{"vector": [0.0] * 384}]), r"points\[0\].key: a point given"),
        (lambda s: s.upsert_documents("docs", [{"text": "a", "payload": {"_key": 1}}]), "_key: is reserved"),
        (lambda s: s.create_collection("bad name"), "name: 'bad name' is not a collection name"),
        (lambda s: s.delete_points("docs", ids=["nope"]), r"ids\[0\]: 'nope' is not a point id"),
        (
            lambda s: s.create_collection("x", dimension=8, embedder={"dimension": 384}),
            "dimension: the collection has 8 dimensions but its embedder hashing/384 makes 384",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_where(
    memory_service: VectorService, call: object, message: str
) -> None:
    memory_service.create_collection("docs")

    with pytest.raises(VectorInputError, match=message):
        call(memory_service)  # type: ignore[operator]


def test_an_unknown_collection_is_named(memory_service: VectorService) -> None:
    with pytest.raises(CollectionNotFound, match="no vector collection named 'nope'"):
        memory_service.search("nope", text="anything")


def test_a_batch_over_the_limit_is_refused_whole(memory_service: VectorService) -> None:
    memory_service.create_collection("docs")

    with pytest.raises(BatchTooLarge, match="101 items in one request; at most 100"):
        memory_service.upsert_documents("docs", [{"text": f"doc {i}"} for i in range(101)])
    assert memory_service.collection_info("docs").points == 0
