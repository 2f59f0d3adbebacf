"""The ``vectors:`` settings: where the store is and how much one request may carry."""

from __future__ import annotations

from dataclasses import dataclass

from shared.config import Settings


@dataclass(frozen=True)
class VectorSettings:
    """``vectors.url`` (a Qdrant server; None: local mode behind the owner process), its API key, the
    largest batch one request may carry, and how long a caller waits for the store."""

    url: str | None = None
    api_key: str | None = None
    max_batch: int = 1000
    timeout_seconds: float = 30.0


def vector_settings(settings: Settings) -> VectorSettings:
    """The ``vectors:`` section of ``settings``."""
    return VectorSettings(
        url=settings.vectors_url,
        api_key=settings.vectors_api_key,
        max_batch=settings.vectors_max_batch,
        timeout_seconds=settings.vectors_timeout_seconds,
    )
