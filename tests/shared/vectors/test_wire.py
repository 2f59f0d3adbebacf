"""The owner's side of a request, without processes: messages, deadlines, and errors that travel."""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import pytest

from shared.errors import MimirError
from shared.vectors.errors import CollectionNotFound
from shared.vectors.model import CollectionSpec, EmbedderSpec
from shared.vectors.owner import handle
from shared.vectors.store import QdrantStore
from shared.vectors.wire import WireError, decode, encode, raise_carried_error


@pytest.fixture()
def store() -> Iterator[QdrantStore]:
    opened = QdrantStore.in_memory()
    opened.create_collection(CollectionSpec("raw", 3, "dot", EmbedderSpec(kind="none", dimension=3)))
    yield opened
    opened.close()


def _request(op: str, args: dict, arrays: dict | None = None, *, deadline_in: float = 60) -> bytes:
    return encode({"op": op, "args": args, "reply_to": "r", "deadline": time.time() + deadline_in}, arrays)


def test_vectors_travel_as_raw_float32_and_come_back_equal() -> None:
    vectors = np.arange(12, dtype=np.float32).reshape(4, 3) / 7

    header, arrays = decode(encode({"op": "x"}, {"vectors": vectors}))

    assert header == {"op": "x"}
    assert np.array_equal(arrays["vectors"], vectors)


def test_a_message_of_another_protocol_is_refused() -> None:
    with pytest.raises(WireError):
        decode(b'{"op": "upsert"}')


@pytest.mark.parametrize(
    "message",
    [
        b"MV1\x00\x00\x00\x02{}",
        encode({"op": "ping", "deadline": "soon", "reply_to": "r"}),
        b"MV1\x00\x00\x00\x2b" + b'{"reply_to": "r", "_arrays": [["v", [-1]]]}',
    ],
)
def test_a_malformed_request_is_dropped_and_the_owner_stays_up(store: QdrantStore, message: bytes) -> None:
    assert handle(store, message) == (None, None)


def test_an_upsert_then_a_search_are_answered(store: QdrantStore) -> None:
    upsert = _request(
        "upsert", {"name": "raw", "keys": ["a"], "payloads": [{"n": 1}]}, {"vectors": np.ones((1, 3))}
    )
    search = _request("search", {"name": "raw", "limit": 1}, {"vector": np.ones(3)})

    written = decode(handle(store, upsert)[1] or b"")[0]
    found = decode(handle(store, search)[1] or b"")[0]

    assert written == {"ok": True, "result": 1}
    assert found["result"][0]["key"] == "a" and found["result"][0]["payload"] == {"n": 1}


def test_a_request_whose_caller_gave_up_is_not_carried_out(store: QdrantStore) -> None:
    late = _request(
        "upsert",
        {"name": "raw", "keys": ["a"], "payloads": [{}]},
        {"vectors": np.ones((1, 3))},
        deadline_in=-1,
    )

    assert handle(store, late) == (None, None)
    assert store.collection_info("raw").points == 0


def test_a_domain_error_travels_back_as_its_own_class(store: QdrantStore) -> None:
    reply = decode(handle(store, _request("collection_info", {"name": "gone"}))[1] or b"")[0]

    with pytest.raises(CollectionNotFound, match="no vector collection named 'gone'"):
        raise_carried_error(reply)


def test_an_unknown_operation_is_answered_with_an_error_not_dropped(store: QdrantStore) -> None:
    reply = decode(handle(store, _request("explode", {}))[1] or b"")[0]

    with pytest.raises(MimirError, match="unknown vector operation 'explode'"):
        raise_carried_error(reply)
