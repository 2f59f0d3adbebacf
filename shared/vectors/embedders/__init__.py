"""Embedders: text to vectors. One interface, three built-ins, built once per process and spec.

- ``hashing`` (default): feature hashing of words and character n-grams, no model files, deterministic.
- ``sentence``: all-MiniLM-L6-v2 from a PyPI package, fully offline (the ``sentence`` extra).
- ``http``: any OpenAI-compatible ``/embeddings`` endpoint, through the SSRF guard.
- ``none``: the caller supplies vectors; text cannot be embedded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

import numpy as np

from shared.vectors.errors import VectorInputError

if TYPE_CHECKING:
    from shared.stopping import StopSignal
    from shared.vectors.http import HttpAccess
    from shared.vectors.model import EmbedderSpec

EMBEDDER_KINDS = ("hashing", "sentence", "http", "none")
_DEFAULT_DIMENSIONS = {"hashing": 384, "sentence": 384, "http": 1536, "none": 384}


def default_dimension(kind: str) -> int:
    """The dimension an embedder of ``kind`` makes when the spec does not say."""
    return _DEFAULT_DIMENSIONS.get(kind, 384)


class Embedder(Protocol):
    """Turns texts into vectors: ``(len(texts), spec.dimension)`` float32, one row per text. ``stop`` (a
    run's stop signal; None outside a run) ends an embedder that waits (an HTTP call) at once."""

    spec: EmbedderSpec
    batch_size: int

    def embed(self, texts: Sequence[str], stop: StopSignal | None = None) -> np.ndarray: ...


def embed_batches(
    embedder: Embedder, texts: Iterable[str], stop: StopSignal | None = None
) -> Iterator[np.ndarray]:
    """The vectors of ``texts``, one array per batch of ``embedder.batch_size``, reading texts lazily;
    ``stop``'s reason is raised before a batch when the run must stop."""
    batch: list[str] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= embedder.batch_size:
            yield _embed(embedder, batch, stop)
            batch = []
    if batch:
        yield _embed(embedder, batch, stop)


def _embed(embedder: Embedder, batch: list[str], stop: StopSignal | None) -> np.ndarray:
    if stop is not None:
        stop.raise_if_stopped()
    return embedder.embed(batch, stop)


def embed_all(embedder: Embedder, texts: Sequence[str], stop: StopSignal | None = None) -> np.ndarray:
    """Every text's vector, embedded batch by batch."""
    if not texts:
        return np.zeros((0, embedder.spec.dimension), dtype=np.float32)
    return np.vstack(list(embed_batches(embedder, texts, stop)))


_cache: dict[tuple[EmbedderSpec, HttpAccess | None], Embedder] = {}
_lock = threading.Lock()


def build_embedder(spec: EmbedderSpec, access: HttpAccess | None = None) -> Embedder:
    """The embedder for ``spec`` (one per process and spec: a sentence model loads once)."""
    cache_key = (spec, access if spec.kind == "http" else None)
    with _lock:
        embedder = _cache.get(cache_key)
        if embedder is None:
            embedder = _make(spec, access)
            _cache[cache_key] = embedder
        return embedder


def _make(spec: EmbedderSpec, access: HttpAccess | None) -> Embedder:
    if spec.kind == "hashing":
        from shared.vectors.embedders.hashing import HashingEmbedder

        return HashingEmbedder(spec)
    if spec.kind == "sentence":
        from shared.vectors.embedders.sentence import SentenceEmbedder

        return SentenceEmbedder(spec)
    if spec.kind == "http":
        from shared.vectors.embedders.http import HttpEmbedder
        from shared.vectors.http import HttpAccess

        return HttpEmbedder(spec, access or HttpAccess())
    raise VectorInputError.at(
        "embedder", f"embedder {spec.describe()} embeds no text: this collection takes vectors only"
    )
