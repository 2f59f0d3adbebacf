"""An OpenAI-compatible ``POST {base_url}/embeddings`` embedder, through the SSRF guard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from shared.errors import PluginError
from shared.stopping import StopSignal
from shared.vectors.errors import EmbedderUnavailable
from shared.vectors.http import HttpAccess, api_key_header, join_url, post_json
from shared.vectors.model import EmbedderSpec


class HttpEmbedder:
    """Sends texts in batches of ``batch_size``; the answer must hold one embedding per text."""

    batch_size = 64

    def __init__(self, spec: EmbedderSpec, access: HttpAccess) -> None:
        assert spec.base_url and spec.model  # EmbedderSpec.from_dict refuses an http spec without them
        self.spec = spec
        self._url = join_url(spec.base_url, "embeddings")
        self._access = access

    def embed(self, texts: Sequence[str], stop: StopSignal | None = None) -> np.ndarray:
        """The endpoint's vectors for ``texts``, in order; ``stop`` set ends the call, raising its reason."""
        headers = api_key_header(self.spec.api_key_env, "http embedder")
        try:
            answer = post_json(
                self._url, {"model": self.spec.model, "input": list(texts)}, headers, self._access, stop=stop
            )
        except PluginError as exc:
            raise EmbedderUnavailable(f"embedder {self.spec.describe()}: {exc.message}") from exc
        return self._vectors(answer, len(texts))

    def _vectors(self, answer: Any, count: int) -> np.ndarray:
        data = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(data, list) or len(data) != count:
            raise EmbedderUnavailable(f"{self._url}: expected {count} embeddings under 'data'")
        ordered = sorted(data, key=lambda item: item.get("index", 0) if isinstance(item, dict) else 0)
        try:
            array = np.asarray([item["embedding"] for item in ordered], dtype=np.float32)
        except (KeyError, TypeError, ValueError) as exc:
            raise EmbedderUnavailable(f"{self._url}: malformed embeddings ({exc})") from exc
        if array.shape != (count, self.spec.dimension):
            raise EmbedderUnavailable(
                f"{self._url}: embeddings have {array.shape[-1]} dimensions; "
                f"the spec says {self.spec.dimension}"
            )
        return array
