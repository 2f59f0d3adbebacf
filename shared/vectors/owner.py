"""The process that owns the local store, serving every other process's vector operations over Redis.

Qdrant's local mode lets one process open a directory. In the embedded layout (`mimir up`, no
``vectors.url``) this process opens it and serves requests from the Redis list :data:`REQUEST_QUEUE`, one
at a time, so the API and every worker process can upsert and search the same collections at once. Each
reply goes to the list the request names, which its caller waits on (:mod:`shared.vectors.remote`).
While it runs, the owner keeps :data:`OWNER_KEY` alive; callers refuse at once when it is absent.

Run it with ``python -m shared.vectors.owner`` (``mimir up`` starts it).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import redis

from shared.errors import MimirError
from shared.vectors.config import VectorConfig
from shared.vectors.model import CollectionSpec, EmbedderSpec
from shared.vectors.store import QdrantStore
from shared.vectors.wire import OWNER_KEY, REQUEST_QUEUE, WireError, as_bytes, decode, encode, error_header

log = logging.getLogger(__name__)

OWNER_TTL_MS = 5000
REPLY_TTL_SECONDS = 60
_POLL_SECONDS = 1.0

Handler = Callable[[QdrantStore, dict[str, Any], dict[str, np.ndarray]], Any]


def _embedder(args: dict[str, Any]) -> EmbedderSpec | None:
    return EmbedderSpec.from_dict(args["embedder"]) if args.get("embedder") else None


def _create(store: QdrantStore, args: dict[str, Any], _: dict[str, np.ndarray]) -> Any:
    spec = CollectionSpec(
        name=args["name"],
        dimension=args["dimension"],
        distance=args["distance"],
        embedder=EmbedderSpec.from_dict(args["embedder"]),
    )
    return store.create_collection(spec).to_dict()


def _upsert(store: QdrantStore, args: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    return store.upsert(args["name"], args["keys"], arrays["vectors"], args["payloads"], _embedder(args))


def _search(store: QdrantStore, args: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    hits = store.search(
        args["name"],
        arrays["vector"],
        limit=args["limit"],
        filter=args.get("filter"),
        score_threshold=args.get("score_threshold"),
        embedder=_embedder(args),
    )
    return [h.to_dict() for h in hits]


def _scroll(store: QdrantStore, args: dict[str, Any], _: dict[str, np.ndarray]) -> Any:
    hits, next_offset = store.scroll(
        args["name"], limit=args["limit"], offset=args.get("offset"), filter=args.get("filter")
    )
    return {"hits": [h.to_dict() for h in hits], "next_offset": next_offset}


OPERATIONS: dict[str, Handler] = {
    "ping": lambda store, _a, _b: store.ping(),
    "create_collection": _create,
    "list_collections": lambda store, _a, _b: [c.to_dict() for c in store.list_collections()],
    "collection_info": lambda store, args, _b: store.collection_info(
        args["name"], count_points=bool(args.get("count_points", True))
    ).to_dict(),
    "delete_collection": lambda store, args, _b: store.delete_collection(args["name"]),
    "upsert": _upsert,
    "delete_points": lambda store, args, _b: store.delete_points(
        args["name"], keys=args.get("keys"), ids=args.get("ids"), filter=args.get("filter")
    ),
    "search": _search,
    "scroll": _scroll,
}


def handle(store: QdrantStore, message: bytes) -> tuple[str | None, bytes | None]:
    """The reply list and reply for one request (None for a request whose caller gave up already)."""
    try:
        header, arrays = decode(message)
        reply_to = str(header["reply_to"])
        deadline = float(header.get("deadline", 0))
    except (WireError, KeyError, TypeError, ValueError) as exc:  # whoever wrote it, the owner stays up
        log.warning("vector store: dropped a malformed request: %s", exc)
        return None, None
    if deadline < time.time():
        # The caller has stopped waiting and reported a timeout; doing the work now would surprise it.
        log.warning("vector store: skipped %s, its caller gave up waiting", header.get("op"))
        return None, None
    operation = OPERATIONS.get(str(header.get("op")))
    try:
        if operation is None:
            raise MimirError(f"unknown vector operation {header.get('op')!r}")
        result = operation(store, header.get("args") or {}, arrays)
        return reply_to, encode({"ok": True, "result": result})
    except MimirError as exc:
        return reply_to, encode(error_header(exc))
    except Exception as exc:  # the owner must outlive one bad request; the caller gets a 500 naming it
        log.exception("vector store: %s failed", header.get("op"))
        return reply_to, encode(error_header(MimirError(f"vector store error: {type(exc).__name__}: {exc}")))


def serve(store: QdrantStore, client: redis.Redis, should_stop: Callable[[], bool]) -> None:
    """Answer requests until ``should_stop()``; keeps :data:`OWNER_KEY` alive meanwhile."""
    identity = f"{socket.gethostname()}:{os.getpid()}"
    client.set(OWNER_KEY, identity, px=OWNER_TTL_MS)
    renewed = time.monotonic()
    try:
        while not should_stop():
            item = client.brpop([REQUEST_QUEUE], timeout=_POLL_SECONDS)
            if item is not None:
                reply_to, reply = handle(store, as_bytes(item[1]))
                if reply_to is not None and reply is not None:
                    pipe = client.pipeline(transaction=False)
                    pipe.lpush(reply_to, reply)
                    pipe.expire(reply_to, REPLY_TTL_SECONDS)
                    pipe.execute()
            if time.monotonic() - renewed > 1.0:
                client.set(OWNER_KEY, identity, px=OWNER_TTL_MS)
                renewed = time.monotonic()
    finally:
        if client.get(OWNER_KEY) == identity.encode():
            client.delete(OWNER_KEY)


def main() -> None:
    """``python -m shared.vectors.owner``: open the local store under the data dir and serve it."""
    from shared.config import load_settings
    from shared.observability.logging import configure_logging

    settings = load_settings()
    configure_logging(settings)
    config = VectorConfig.from_settings(settings)
    if not config.is_embedded:
        log.info("vectors.url is set: every process talks to %s; no local store to own", config.url)
        return
    stopping: list[int] = []
    signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    signal.signal(signal.SIGINT, lambda signum, _frame: stopping.append(signum))
    store = QdrantStore.open_local(config.local_path)
    client = redis.Redis.from_url(
        config.redis_url, socket_connect_timeout=5, socket_timeout=_POLL_SECONDS + 10
    )
    log.info("vector store owner serving %s", config.local_path)
    try:
        _serve_through_broker_outages(store, client, lambda: bool(stopping))
    finally:
        store.close()
        client.close()


def _serve_through_broker_outages(
    store: QdrantStore, client: redis.Redis, should_stop: Callable[[], bool]
) -> None:
    while not should_stop():
        try:
            serve(store, client, should_stop)
        except redis.ConnectionError as exc:  # Redis restarting: wait for it rather than exit
            log.warning("vector store owner: broker unreachable (%s); retrying", exc)
            time.sleep(1)


if __name__ == "__main__":
    main()
