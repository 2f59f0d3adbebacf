"""The local store as the other processes see it: each call is a request to its owner over Redis.

A call pushes its request only if the owner is alive (one Lua script: check :data:`OWNER_KEY`, then
push), then waits on its own reply list for at most ``timeout_seconds``. The methods mirror
:class:`~shared.vectors.store.QdrantStore`, so the service above does not know which one it holds.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import numpy as np
import redis

from shared.vectors.errors import VectorStoreUnavailable
from shared.vectors.model import CollectionInfo, CollectionSpec, EmbedderSpec, Hit
from shared.vectors.wire import OWNER_KEY, REQUEST_QUEUE, as_bytes, decode, encode, raise_carried_error

_PUSH_IF_OWNED = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('LPUSH', KEYS[2], ARGV[1])
end
return -1
"""


class OwnerClient:
    """Vector operations sent to the owner process; safe to share between threads."""

    def __init__(self, client: redis.Redis, *, timeout_seconds: float = 30.0) -> None:
        self._redis = client
        self._timeout = timeout_seconds
        self._push = client.register_script(_PUSH_IF_OWNED)
        self.description = "embedded (local store behind its owner process)"

    @classmethod
    def from_url(cls, redis_url: str, *, timeout_seconds: float = 30.0) -> OwnerClient:
        """A client over the broker at ``redis_url`` (connects on first use)."""
        # The socket must outwait the blocking pop of a reply (redis-py's default read timeout is 5 s).
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=5, socket_timeout=timeout_seconds + 5)
        return cls(client, timeout_seconds=timeout_seconds)

    def close(self) -> None:
        """Close the Redis connections."""
        self._redis.close()

    def ping(self) -> dict[str, Any]:
        """What the owner says about the store (a round trip)."""
        return dict(self._call("ping", {}))

    def create_collection(self, spec: CollectionSpec) -> CollectionInfo:
        """See :meth:`QdrantStore.create_collection`."""
        args = {
            "name": spec.name,
            "dimension": spec.dimension,
            "distance": spec.distance,
            "embedder": spec.embedder.to_dict(),
        }
        return _info(self._call("create_collection", args))

    def list_collections(self) -> list[CollectionInfo]:
        """See :meth:`QdrantStore.list_collections`."""
        return [_info(c) for c in self._call("list_collections", {})]

    def collection_info(self, name: str, *, count_points: bool = True) -> CollectionInfo:
        """See :meth:`QdrantStore.collection_info`."""
        return _info(self._call("collection_info", {"name": name, "count_points": count_points}))

    def delete_collection(self, name: str) -> None:
        """See :meth:`QdrantStore.delete_collection`."""
        self._call("delete_collection", {"name": name})

    def upsert(
        self,
        name: str,
        keys: list[str],
        vectors: np.ndarray,
        payloads: list[dict[str, Any]],
        embedder: EmbedderSpec | None = None,
    ) -> int:
        """See :meth:`QdrantStore.upsert`."""
        args = {
            "name": name,
            "keys": keys,
            "payloads": payloads,
            "embedder": embedder.to_dict() if embedder else None,
        }
        return int(self._call("upsert", args, {"vectors": vectors}))

    def delete_points(
        self,
        name: str,
        *,
        keys: list[str] | None = None,
        filter: Mapping[str, Any] | None = None,
        ids: list[str] | None = None,
    ) -> None:
        """See :meth:`QdrantStore.delete_points`."""
        args = {"name": name, "keys": keys, "ids": ids, "filter": dict(filter) if filter else None}
        self._call("delete_points", args)

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
        """See :meth:`QdrantStore.search`."""
        args = {
            "name": name,
            "limit": limit,
            "filter": dict(filter) if filter else None,
            "score_threshold": score_threshold,
            "embedder": embedder.to_dict() if embedder else None,
        }
        return [_hit(h) for h in self._call("search", args, {"vector": vector})]

    def scroll(
        self,
        name: str,
        *,
        limit: int = 100,
        offset: str | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> tuple[list[Hit], str | None]:
        """See :meth:`QdrantStore.scroll`."""
        args = {"name": name, "limit": limit, "offset": offset, "filter": dict(filter) if filter else None}
        page = self._call("scroll", args)
        return [_hit(h) for h in page["hits"]], page["next_offset"]

    def _call(self, op: str, args: dict[str, Any], arrays: dict[str, np.ndarray] | None = None) -> Any:
        reply_to = f"mimir:vectors:reply:{uuid.uuid4().hex}"
        deadline = time.time() + self._timeout
        message = encode({"op": op, "args": args, "reply_to": reply_to, "deadline": deadline}, arrays)
        try:
            if int(self._push(keys=[OWNER_KEY, REQUEST_QUEUE], args=[message])) < 0:
                raise VectorStoreUnavailable(
                    "the vector store's owner process is not running (it is started by `mimir up`, or run "
                    "`python -m shared.vectors.owner`; or set vectors.url to use a Qdrant server)"
                )
            reply = self._redis.brpop([reply_to], timeout=self._timeout)
        except redis.RedisError as exc:
            raise VectorStoreUnavailable(
                f"the broker, through which the vector store is reached, failed: {exc}"
            ) from exc
        if reply is None:
            raise VectorStoreUnavailable(f"the vector store did not answer {op} within {self._timeout:g}s")
        header, _ = decode(as_bytes(reply[1]))
        if not header.get("ok"):
            raise_carried_error(header)
        return header.get("result")


def _info(data: dict[str, Any]) -> CollectionInfo:
    return CollectionInfo(
        name=data["name"],
        dimension=data["dimension"],
        distance=data["distance"],
        embedder=EmbedderSpec.from_dict(data["embedder"]),
        points=data["points"],
    )


def _hit(data: dict[str, Any]) -> Hit:
    return Hit(id=data["id"], key=data.get("key"), score=data.get("score"), payload=data.get("payload") or {})
