"""Where the vector store is: a Qdrant server, or the local store behind its owner process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.config import Settings


@dataclass(frozen=True)
class VectorConfig:
    """The ``vectors.*`` settings a process needs to reach the store (hashable: clients are cached by it)."""

    url: str | None
    api_key: str | None
    local_path: Path
    redis_url: str
    max_batch: int = 1000
    timeout_seconds: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> VectorConfig:
        """The vector settings of ``settings``."""
        return cls(
            url=settings.vectors_url,
            api_key=settings.vectors_api_key,
            local_path=settings.vectors_dir.resolve(),
            redis_url=settings.resolved_redis_url,
            max_batch=settings.vectors_max_batch,
            timeout_seconds=settings.vectors_timeout_seconds,
        )

    @property
    def is_embedded(self) -> bool:
        """True when no server is configured: the local store, reached through its owner process."""
        return self.url is None

    @property
    def mode(self) -> str:
        """``server`` or ``embedded``, as ``/health`` reports it."""
        return "embedded" if self.is_embedded else "server"

    def __repr__(self) -> str:  # the API key stays out of logs and tracebacks
        return f"VectorConfig(mode={self.mode!r}, url={self.url!r}, local_path={str(self.local_path)!r})"
