"""The vector store: collections and points over ``qdrant-client``, one class for both of its modes.

:meth:`QdrantStore.connect` talks to a Qdrant server (every process may); :meth:`QdrantStore.open_local`
opens Qdrant's local mode under a directory, which only one process may hold (the owner process,
:mod:`shared.vectors.owner`). What each collection was made with (distance and embedder) is kept in a
reserved collection beside the data, so it is there in both modes and goes with the store's files.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from shared.vectors.errors import (
    CollectionExists,
    CollectionNotFound,
    VectorInputError,
    VectorStoreUnavailable,
)
from shared.vectors.filters import to_qdrant_filter
from shared.vectors.model import (
    KEY_FIELD,
    CollectionInfo,
    CollectionSpec,
    EmbedderSpec,
    Hit,
    check_collection_name,
    check_embedder,
    point_id,
)

META_COLLECTION = "_mimir_collections"
_DISTANCES = {"cosine": models.Distance.COSINE, "dot": models.Distance.DOT, "euclid": models.Distance.EUCLID}
_DISTANCE_NAMES = {v: k for k, v in _DISTANCES.items()}


class QdrantStore:
    """Collections with their embedder, and points keyed by document keys."""

    def __init__(
        self, client: QdrantClient, *, description: str, spec_ttl_seconds: float = float("inf")
    ) -> None:
        self._client = client
        self.description = description
        # What each collection was made with, so an upsert or a search costs one call, not four. The owner
        # of a local store is its only writer, so its cache is exact; a server's collections can change
        # under us, so there it is kept for a few seconds only.
        self._specs: dict[str, tuple[float, CollectionInfo]] = {}
        self._spec_ttl = spec_ttl_seconds
        # Local mode is not thread-safe; a server client is, but one lock keeps the two modes alike and
        # costs nothing next to a network round trip.
        self._lock = threading.RLock()
        self._meta_ready = False

    @classmethod
    def open_local(cls, path: Path) -> QdrantStore:
        """Qdrant's local mode under ``path`` (fails if another process holds it)."""
        path.mkdir(parents=True, exist_ok=True)
        store = cls(QdrantClient(path=str(path)), description=f"local:{path}")
        tune_local_files(store._client)
        return store

    @classmethod
    def in_memory(cls) -> QdrantStore:
        """A throwaway store in this process (tests and benchmarks)."""
        return cls(QdrantClient(location=":memory:"), description="memory")

    @classmethod
    def connect(cls, url: str, api_key: str | None, timeout_seconds: float) -> QdrantStore:
        """A Qdrant server at ``url``."""
        client = QdrantClient(url=url, api_key=api_key, timeout=max(int(timeout_seconds), 1))
        return cls(client, description=f"server:{url}", spec_ttl_seconds=5.0)

    def close(self) -> None:
        """Release the client (and the local directory's lock)."""
        with self._lock, _translated_errors():
            self._client.close()

    def ping(self) -> dict[str, Any]:
        """How many collections the store holds (proves it answers)."""
        with self._lock, _translated_errors():
            names = [c.name for c in self._client.get_collections().collections]
        return {"collections": sum(1 for n in names if n != META_COLLECTION), "store": self.description}

    def create_collection(self, spec: CollectionSpec) -> CollectionInfo:
        """Create the collection; :class:`CollectionExists` if the name is taken."""
        with self._lock, _translated_errors():
            if self._client.collection_exists(spec.name):
                raise CollectionExists(spec.name)
            self._specs.pop(spec.name, None)
            self._write_meta(spec)
            self._client.create_collection(
                spec.name,
                vectors_config=models.VectorParams(size=spec.dimension, distance=_DISTANCES[spec.distance]),
            )
            tune_local_files(self._client)
            return self._info(spec.name)

    def list_collections(self) -> list[CollectionInfo]:
        """Every collection, by name."""
        with self._lock, _translated_errors():
            names = sorted(c.name for c in self._client.get_collections().collections)
            return [self._info(n) for n in names if n != META_COLLECTION]

    def collection_info(self, name: str, *, count_points: bool = True) -> CollectionInfo:
        """One collection (``points`` is -1 unless counted); :class:`CollectionNotFound` if there is none."""
        with self._lock, _translated_errors():
            return self._info(name, count_points=count_points)

    def delete_collection(self, name: str) -> None:
        """Delete the collection and its points."""
        with self._lock, _translated_errors():
            self._require(name)
            self._specs.pop(name, None)
            self._client.delete_collection(name)
            if self._client.collection_exists(META_COLLECTION):
                self._client.delete(
                    META_COLLECTION, models.PointIdsList(points=[point_id(f"collection:{name}")]), wait=True
                )

    def upsert(
        self,
        name: str,
        keys: list[str],
        vectors: np.ndarray,
        payloads: list[dict[str, Any]],
        embedder: EmbedderSpec | None = None,
    ) -> int:
        """Store the points (a key already stored is replaced); the number written."""
        with self._lock, _translated_errors():
            info = self._spec(name)
            check_embedder(info, embedder)
            _check_matrix(vectors, len(keys), info.dimension)
            if len(payloads) != len(keys):
                raise VectorInputError.at("payloads", f"expected {len(keys)}, got {len(payloads)}")
            if not keys:
                return 0
            self._client.upsert(
                name,
                points=models.Batch(
                    ids=[point_id(k) for k in keys],
                    vectors=vectors.tolist(),
                    payloads=[{**p, KEY_FIELD: k} for k, p in zip(keys, payloads, strict=True)],
                ),
                wait=True,
            )
            return len(keys)

    def delete_points(
        self,
        name: str,
        *,
        keys: list[str] | None = None,
        filter: Mapping[str, Any] | None = None,
        ids: list[str] | None = None,
    ) -> None:
        """Delete the points of document ``keys``, of point ``ids``, or those matching ``filter``."""
        if keys is None and filter is None and ids is None:
            raise VectorInputError.at("keys", "give keys, ids or a filter")
        selector: models.PointIdsList | models.FilterSelector
        if keys is not None or ids is not None:
            chosen = [point_id(k) for k in keys or []] + list(ids or [])
            selector = models.PointIdsList(points=chosen)  # type: ignore[arg-type]
        else:
            selector = models.FilterSelector(filter=to_qdrant_filter(filter))
        with self._lock, _translated_errors():
            self._require(name)
            self._client.delete(name, selector, wait=True)

    def search(
        self,
        name: str,
        vector: np.ndarray,
        *,
        limit: int = 10,
        filter: Mapping[str, Any] | None = None,
        score_threshold: float | None = None,
        embedder: EmbedderSpec | None = None,
    ) -> list[Hit]:
        """The ``limit`` nearest points to ``vector`` that match ``filter``, best first."""
        query_filter = to_qdrant_filter(filter) if filter else None
        with self._lock, _translated_errors():
            info = self._spec(name)
            check_embedder(info, embedder)
            _check_matrix(vector.reshape(1, -1), 1, info.dimension, "vector")
            found = self._client.query_points(
                name,
                query=vector.tolist(),
                query_filter=query_filter,
                limit=limit,
                score_threshold=score_threshold,
                with_payload=True,
            ).points
        return [_hit(p.id, p.payload, p.score) for p in found]

    def scroll(
        self,
        name: str,
        *,
        limit: int = 100,
        offset: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> tuple[list[Hit], str | None]:
        """A page of points in id order, and the offset of the next page (None at the end)."""
        scroll_filter = to_qdrant_filter(filter) if filter else None
        with self._lock, _translated_errors():
            self._require(name)
            records, next_offset = self._client.scroll(
                name, scroll_filter=scroll_filter, limit=limit, offset=offset, with_payload=True
            )
        return [_hit(r.id, r.payload, None) for r in records], (
            str(next_offset) if next_offset is not None else None
        )

    def _spec(self, name: str) -> CollectionInfo:
        cached = self._specs.get(name)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        info = self._info(name, count_points=False)
        self._specs[name] = (time.monotonic() + self._spec_ttl, info)
        return info

    def _require(self, name: str) -> None:
        check_collection_name(name)
        if not self._client.collection_exists(name):
            raise CollectionNotFound(name)

    def _info(self, name: str, *, count_points: bool = True) -> CollectionInfo:
        self._require(name)
        described = self._client.get_collection(name)
        params = described.config.params.vectors
        if not isinstance(params, models.VectorParams):  # named vectors: made outside Mimir
            raise VectorInputError.at(
                "name", f"collection {name!r} has named vectors, which Mimir does not use"
            )
        meta = self._read_meta(name)
        embedder = (
            EmbedderSpec.from_dict(meta["embedder"])
            if meta
            else EmbedderSpec(kind="none", dimension=params.size)  # a collection made outside Mimir
        )
        points = self._client.count(name, exact=True).count if count_points else -1
        return CollectionInfo(name, params.size, _DISTANCE_NAMES[params.distance], embedder, points)

    def _write_meta(self, spec: CollectionSpec) -> None:
        if not self._meta_ready:
            if not self._client.collection_exists(META_COLLECTION):
                self._client.create_collection(
                    META_COLLECTION, vectors_config=models.VectorParams(size=1, distance=models.Distance.DOT)
                )
            self._meta_ready = True
        payload = {"name": spec.name, "distance": spec.distance, "embedder": spec.embedder.to_dict()}
        self._client.upsert(
            META_COLLECTION,
            points=[
                models.PointStruct(id=point_id(f"collection:{spec.name}"), vector=[1.0], payload=payload)
            ],
            wait=True,
        )

    def _read_meta(self, name: str) -> dict[str, Any] | None:
        if not self._client.collection_exists(META_COLLECTION):
            return None
        found = self._client.retrieve(META_COLLECTION, [point_id(f"collection:{name}")], with_payload=True)
        return dict(found[0].payload or {}) if found else None


def tune_local_files(client: QdrantClient) -> None:
    """Make local mode's per-collection SQLite files commit without an fsync per point.

    Local mode keeps each collection's points in SQLite and commits once per point; with the default
    rollback journal that is an fsync per point (about 100 points/s on our disks). In WAL mode with
    ``synchronous=NORMAL`` a commit is a write to the log, synced at checkpoints: a killed process loses
    nothing, a power cut may lose the last moments of writes (re-ingesting restores them, ids being
    derived from document keys), and nothing is corrupted. A qdrant-client without these attributes is
    left as it is (correct, only slower). Called after opening and after creating a collection.
    """
    collections = getattr(getattr(client, "_client", None), "collections", None)
    for collection in (collections or {}).values():
        connection = getattr(getattr(collection, "storage", None), "storage", None)
        if isinstance(connection, sqlite3.Connection) and not getattr(collection, "_mimir_tuned", False):
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            collection._mimir_tuned = True


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Qdrant's own errors as the domain's: a vanished collection is a 404, an unreachable server a 503."""
    try:
        yield
    except UnexpectedResponse as exc:
        if exc.status_code == 404:
            raise CollectionNotFound(_collection_in(str(exc.content))) from exc
        if exc.status_code in (400, 422):
            raise VectorInputError(f"the vector store refused the request: {exc.content[:300]!r}") from exc
        raise VectorStoreUnavailable(f"the vector store answered HTTP {exc.status_code}") from exc
    except (ResponseHandlingException, ConnectionError, TimeoutError) as exc:
        raise VectorStoreUnavailable(f"the vector store is unreachable: {exc}") from exc


def _collection_in(text: str) -> str:
    marker = "Collection `"
    start = text.find(marker)
    return text[start + len(marker) :].split("`", 1)[0] if start >= 0 else "?"


def _check_matrix(vectors: np.ndarray, count: int, dimension: int, where: str = "vectors") -> None:
    if vectors.ndim != 2 or vectors.shape[0] != count:
        raise VectorInputError.at(where, f"expected {count} vectors, got {vectors.shape[0]}")
    if vectors.shape[1] != dimension:
        raise VectorInputError.at(where, f"has {vectors.shape[1]} dimensions; the collection has {dimension}")
    if not np.isfinite(vectors).all():
        raise VectorInputError.at(where, "holds NaN or an infinite number")


def _hit(point: Any, payload: Mapping[str, Any] | None, score: float | None) -> Hit:
    data = dict(payload or {})
    key = data.pop(KEY_FIELD, None)
    return Hit(id=str(point), key=key, score=score, payload=data)
