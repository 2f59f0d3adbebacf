"""Where the vector store is: a Qdrant server, or the local store behind its owner process."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from shared.config import Settings
from shared.vectors.settings import vector_settings


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
        """The vector settings of ``settings``, with the data dir and broker they need."""
        section = vector_settings(settings)
        return cls(
            url=section.url,
            api_key=section.api_key,
            local_path=(settings.data_dir / "vectors").resolve(),
            redis_url=settings.resolved_redis_url,
            max_batch=section.max_batch,
            timeout_seconds=section.timeout_seconds,
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
