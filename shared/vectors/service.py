"""The vector operations the API and the pipeline steps call, over whichever store this process reaches.

Text is embedded here, in the calling process (the API or a worker), with the embedder the collection
remembers; the store (or its owner process) only ever sees vectors. Batches over ``vectors.max_batch``
are refused at the API and split by the pipeline steps.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from shared.stopping import StopSignal
from shared.vectors.config import VectorConfig
from shared.vectors.embedders import Embedder, build_embedder, embed_all
from shared.vectors.errors import BatchTooLarge, VectorInputError
from shared.vectors.filters import check_filter
from shared.vectors.http import HttpAccess
from shared.vectors.model import (
    CollectionInfo,
    CollectionSpec,
    EmbedderSpec,
    Hit,
    as_vector,
    check_collection_name,
    check_key,
    check_payload,
    check_point_id,
)

MAX_LIMIT = 1000
# How long a process trusts what it read about a collection's embedder and dimension. Another process may
# delete and re-create a collection meanwhile; the store checks the embedder a request names against the
# collection's own, so a stale entry gives a clear error, never vectors of the wrong kind.
SPEC_TTL_SECONDS = 5.0


class VectorBackend(Protocol):
    """What both :class:`~shared.vectors.store.QdrantStore` and :class:`~shared.vectors.remote.OwnerClient`
    offer."""

    description: str

    def ping(self) -> dict[str, Any]: ...
    def create_collection(self, spec: CollectionSpec) -> CollectionInfo: ...
    def list_collections(self) -> list[CollectionInfo]: ...
    def collection_info(self, name: str, *, count_points: bool = True) -> CollectionInfo: ...
    def delete_collection(self, name: str) -> None: ...
    def upsert(
        self,
        name: str,
        keys: list[str],
        vectors: np.ndarray,
        payloads: list[dict[str, Any]],
        embedder: EmbedderSpec | None = None,
    ) -> int: ...
    def delete_points(
        self,
        name: str,
        *,
        keys: list[str] | None = None,
        filter: Mapping[str, Any] | None = None,
        ids: list[str] | None = None,
    ) -> None: ...
    def search(
        self,
        name: str,
        vector: np.ndarray,
        *,
        limit: int = 10,
        filter: Mapping[str, Any] | None = None,
        score_threshold: float | None = None,
        embedder: EmbedderSpec | None = None,
    ) -> list[Hit]: ...
    def scroll(
        self,
        name: str,
        *,
        limit: int = 100,
        offset: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> tuple[list[Hit], str | None]: ...
    def close(self) -> None: ...


@dataclass
class VectorService:
    """Collections, documents and searches, with embedding and the caller-facing checks."""

    backend: VectorBackend
    max_batch: int = 1000
    access: HttpAccess | None = None
    _specs: dict[str, tuple[float, CollectionInfo]] = field(default_factory=dict, repr=False)

    def create_collection(
        self,
        name: str,
        *,
        dimension: int | None = None,
        distance: str = "cosine",
        embedder: Mapping[str, Any] | EmbedderSpec | None = None,
    ) -> CollectionInfo:
        """A new collection; its dimension defaults to its embedder's (hashing, 384)."""
        spec = embedder if isinstance(embedder, EmbedderSpec) else _embedder_spec(embedder, dimension)
        self._specs.pop(name, None)
        return self.backend.create_collection(
            CollectionSpec(check_collection_name(name), dimension or spec.dimension, distance, spec)
        )

    def list_collections(self) -> list[CollectionInfo]:
        """Every collection."""
        return self.backend.list_collections()

    def collection_info(self, name: str) -> CollectionInfo:
        """One collection with its point count."""
        return self.backend.collection_info(check_collection_name(name))

    def delete_collection(self, name: str) -> None:
        """Delete a collection and its points."""
        self._specs.pop(name, None)
        self.backend.delete_collection(check_collection_name(name))

    def spec_of(self, name: str) -> CollectionInfo:
        """What collection ``name`` was made with (points not counted), read at most every few seconds."""
        cached = self._specs.get(name)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        info = self.backend.collection_info(check_collection_name(name), count_points=False)
        self._specs[name] = (time.monotonic() + SPEC_TTL_SECONDS, info)
        return info

    def embedder_for(self, name: str) -> Embedder:
        """The embedder of collection ``name`` (a 400 if it takes vectors only)."""
        return build_embedder(self.spec_of(name).embedder, self.access)

    def upsert_documents(
        self, name: str, documents: Sequence[Mapping[str, Any]], where: str = "points"
    ) -> int:
        """Store documents given as ``{key?, text?, vector?, payload?}``; text is embedded by the collection's
        embedder, and the key (else the text) names the point, so storing a document again replaces it."""
        self._check_batch(len(documents), where)
        info = self.spec_of(name)
        keys, payloads, vectors = [], [], np.zeros((len(documents), info.dimension), dtype=np.float32)
        to_embed: list[tuple[int, str]] = []
        for index, document in enumerate(documents):
            at = f"{where}[{index}]"
            text, vector = document.get("text"), document.get("vector")
            if (text is None) == (vector is None):
                raise VectorInputError.at(at, "give exactly one of text and vector")
            if text is not None:
                if not isinstance(text, str) or not text.strip():
                    raise VectorInputError.at(f"{at}.text", "expected non-empty text")
                to_embed.append((index, text))
            else:
                vectors[index] = as_vector(vector, info.dimension, f"{at}.vector")
            key = document.get("key", text)
            if key is None:
                raise VectorInputError.at(f"{at}.key", "a point given as a vector needs a key")
            keys.append(check_key(key, f"{at}.key"))
            payloads.append(check_payload(document.get("payload"), f"{at}.payload"))
        if to_embed:
            embedded = embed_all(build_embedder(info.embedder, self.access), [t for _, t in to_embed])
            vectors[[i for i, _ in to_embed]] = embedded
        return self.backend.upsert(name, keys, vectors, payloads, info.embedder if to_embed else None)

    def upsert_vectors(
        self,
        name: str,
        keys: list[str],
        vectors: np.ndarray,
        payloads: list[dict[str, Any]],
        embedder: EmbedderSpec | None = None,
    ) -> int:
        """Store already embedded points in batches of ``max_batch``; ``embedder`` is checked against the
        collection's."""
        written = 0
        for start in range(0, len(keys), self.max_batch):
            end = start + self.max_batch
            written += self.backend.upsert(
                name, keys[start:end], vectors[start:end], payloads[start:end], embedder
            )
        return written

    def delete_points(
        self,
        name: str,
        *,
        keys: list[Any] | None = None,
        filter: Mapping[str, Any] | None = None,
        ids: list[Any] | None = None,
    ) -> None:
        """Delete the documents of ``keys``, the points of ``ids``, or the points matching ``filter``
        (exactly one of the three)."""
        if sum(x is not None for x in (keys, ids, filter)) != 1:
            raise VectorInputError.at("keys", "give exactly one of keys, ids and filter")
        if keys is not None:
            self._check_batch(len(keys), "keys")
            keys = [check_key(k, f"keys[{i}]") for i, k in enumerate(keys)]
            if not keys:
                raise VectorInputError.at("keys", "expected at least one key")
        if ids is not None:
            self._check_batch(len(ids), "ids")
            ids = [check_point_id(p, f"ids[{i}]") for i, p in enumerate(ids)]
            if not ids:
                raise VectorInputError.at("ids", "expected at least one id")
        self.backend.delete_points(
            check_collection_name(name), keys=keys, ids=ids, filter=check_filter(filter)
        )

    def search(
        self,
        name: str,
        *,
        text: str | None = None,
        vector: Any = None,
        limit: int = 10,
        filter: Mapping[str, Any] | None = None,
        score_threshold: float | None = None,
        stop: StopSignal | None = None,
    ) -> list[Hit]:
        """The ``limit`` best hits for ``text`` (embedded by the collection's embedder) or ``vector``;
        ``stop`` (a run's stop signal) ends an embedder's HTTP call at once."""
        check_collection_name(name)
        if (text is None) == (vector is None):
            raise VectorInputError.at("query", "give exactly one of query (text) and vector")
        if not 1 <= limit <= MAX_LIMIT:
            raise VectorInputError.at("limit", f"expected 1-{MAX_LIMIT}")
        check_filter(filter)
        embedder = None
        if text is not None:
            if not isinstance(text, str) or not text.strip():
                raise VectorInputError.at("query", "expected non-empty text")
            embedder = self.spec_of(name).embedder
            query = build_embedder(embedder, self.access).embed([text], stop)[0]
        else:
            query = as_vector(vector)  # the store checks the dimension: no extra round trip here
        return self.backend.search(
            name, query, limit=limit, filter=filter, score_threshold=score_threshold, embedder=embedder
        )

    def scroll(
        self,
        name: str,
        *,
        limit: int = 100,
        offset: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> tuple[list[Hit], str | None]:
        """A page of points, and the offset of the next one."""
        if not 1 <= limit <= MAX_LIMIT:
            raise VectorInputError.at("limit", f"expected 1-{MAX_LIMIT}")
        return self.backend.scroll(
            check_collection_name(name), limit=limit, offset=offset, filter=check_filter(filter)
        )

    def _check_batch(self, count: int, where: str) -> None:
        if count > self.max_batch:
            raise BatchTooLarge(
                f"{where}: {count} items in one request; at most {self.max_batch} (vectors.max_batch)",
                errors=[{"location": where, "message": f"at most {self.max_batch} items"}],
            )


def _embedder_spec(value: Mapping[str, Any] | None, dimension: int | None) -> EmbedderSpec:
    data = dict(value or {})
    if dimension is not None and "dimension" not in data:
        data["dimension"] = dimension
    return EmbedderSpec.from_dict(data)


_services: dict[tuple[int, VectorConfig, HttpAccess | None], VectorService] = {}
_services_lock = threading.Lock()


def vector_service(config: VectorConfig, access: HttpAccess | None = None) -> VectorService:
    """This process's service for ``config`` (built on first use; again in a forked child)."""
    cache_key = (os.getpid(), config, access)
    with _services_lock:
        service = _services.get(cache_key)
        if service is None:
            service = VectorService(open_backend(config), config.max_batch, access)
            _services[cache_key] = service
        return service


def open_backend(config: VectorConfig, *, timeout_seconds: float | None = None) -> VectorBackend:
    """A Qdrant server client, or the owner client of the local store."""
    timeout = timeout_seconds or config.timeout_seconds
    if config.url:
        from shared.vectors.store import QdrantStore

        return QdrantStore.connect(config.url, config.api_key, timeout)
    from shared.vectors.remote import OwnerClient

    return OwnerClient.from_url(config.redis_url, timeout_seconds=timeout)


_probes: dict[tuple[int, VectorConfig], VectorBackend] = {}
HEALTH_TIMEOUT_SECONDS = 2.0


def vector_store_health(config: VectorConfig) -> dict[str, Any]:
    """What ``/health`` shows of the store: mode and collection count; raises if it does not answer
    within :data:`HEALTH_TIMEOUT_SECONDS` (a probe must not hang the health check)."""
    cache_key = (os.getpid(), config)
    with _services_lock:
        backend = _probes.get(cache_key)
        if backend is None:
            backend = open_backend(config, timeout_seconds=HEALTH_TIMEOUT_SECONDS)
            _probes[cache_key] = backend
    return {"mode": config.mode, **backend.ping()}
