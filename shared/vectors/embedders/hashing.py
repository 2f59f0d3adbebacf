"""The default embedder: feature hashing of word and character n-grams, L2-normalised.

No model files and no state: the same text gives the same vector in every process, on every machine, so
the API and the workers embed independently. Similarity is lexical (shared words and word pieces), not
semantic; the ``sentence`` embedder is the semantic one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from shared.stopping import StopSignal
from shared.vectors.model import EmbedderSpec


class HashingEmbedder:
    """Words and word pairs plus 3-5 character n-grams, hashed into ``spec.dimension`` buckets."""

    batch_size = 512

    def __init__(self, spec: EmbedderSpec) -> None:
        self.spec = spec
        common = {
            "n_features": spec.dimension,
            "lowercase": True,
            "strip_accents": "unicode",
            "norm": None,
            "alternate_sign": False,  # signed buckets would let unrelated n-grams cancel each other out
            "dtype": np.float32,
        }
        self._words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), **common)
        self._chars = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common)

    def embed(self, texts: Sequence[str], stop: StopSignal | None = None) -> np.ndarray:
        """One L2-normalised row per text (an empty text gives a zero row)."""
        texts = [str(t) for t in texts]
        # Each part is normalised first, so long words' many character n-grams don't drown the words.
        words = normalize(self._words.transform(texts))
        chars = normalize(self._chars.transform(texts))
        combined = normalize(words + chars)
        return np.asarray(combined.toarray(), dtype=np.float32)
