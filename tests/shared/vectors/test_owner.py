"""The local store behind its owner process: the same answers as the store itself, and clear failures."""

from __future__ import annotations

import numpy as np
import pytest
import redis

from shared.config import Settings
from shared.vectors.errors import (
    CollectionExists,
    CollectionNotFound,
    VectorInputError,
    VectorStoreUnavailable,
)
from shared.vectors.remote import OwnerClient
from shared.vectors.service import VectorService
from tests.shared.vectors.conftest import OwnerProcess


def test_a_collection_made_through_the_owner_is_listed_with_its_embedder(
    owner_service: VectorService,
) -> None:
    owner_service.create_collection("docs")

    [info] = owner_service.list_collections()

    assert (info.name, info.dimension, info.embedder.kind, info.points) == ("docs", 384, "hashing", 0)


def test_documents_upserted_through_the_owner_are_found_by_text(owner_service: VectorService) -> None:
    owner_service.create_collection("docs")
    owner_service.upsert_documents(
        "docs",
        [
            {"key": "cats", "text": "the cat sat on the mat", "payload": {"topic": "pets"}},
            {"key": "cake", "text": "a recipe for lemon cake", "payload": {"topic": "food"}},
        ],
    )

    [hit] = owner_service.search("docs", text="lemon cake recipe", limit=1)

    assert (hit.key, hit.payload) == ("cake", {"topic": "food"})


def test_errors_raised_in_the_owner_arrive_as_the_same_domain_errors(owner_service: VectorService) -> None:
    owner_service.create_collection("docs", dimension=4, embedder={"kind": "none"})

    with pytest.raises(CollectionExists):
        owner_service.create_collection("docs", dimension=4, embedder={"kind": "none"})
    with pytest.raises(CollectionNotFound):
        owner_service.search("missing", vector=[0.0, 1.0, 0.0, 0.0])
    with pytest.raises(VectorInputError, match="vector: has 2 dimensions; the collection has 4"):
        owner_service.search("docs", vector=[1.0, 2.0])


def test_vectors_survive_the_trip_to_the_owner_bit_for_bit(owner_service: VectorService) -> None:
    owner_service.create_collection("raw", dimension=3, distance="dot", embedder={"kind": "none"})
    owner_service.upsert_documents("raw", [{"key": "a", "vector": [0.1, 0.2, 0.3]}])

    [hit] = owner_service.search("raw", vector=[1.0, 1.0, 1.0])

    assert hit.score == pytest.approx(np.float32(0.1) + np.float32(0.2) + np.float32(0.3), rel=1e-6)


def test_a_call_without_a_running_owner_fails_at_once_naming_the_owner(vector_settings: Settings) -> None:
    client = OwnerClient.from_url(vector_settings.resolved_redis_url, timeout_seconds=30)

    with pytest.raises(VectorStoreUnavailable, match="owner process is not running"):
        client.list_collections()
    client.close()


def test_the_owner_keeps_the_store_across_a_restart(
    owner: OwnerProcess, owner_service: VectorService
) -> None:
    owner_service.create_collection("kept")
    owner_service.upsert_documents("kept", [{"text": "still here"}])
    owner.stop()
    assert not redis.Redis.from_url(owner.settings.resolved_redis_url).exists("mimir:vectors:owner")

    owner.start()

    assert owner_service.collection_info("kept").points == 1
