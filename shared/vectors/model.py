"""The values the vector slice passes around: embedder and collection specs, points, hits.

Every check of a caller's input lives here, so the API, the pipeline steps and the owner process refuse
the same things with the same messages.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shared.vectors.errors import EmbedderMismatch, VectorInputError

DISTANCES = ("cosine", "dot", "euclid")
MAX_DIMENSION = 65536
# Point ids are derived from document keys, so re-ingesting a document replaces its point.
POINT_NAMESPACE = uuid.UUID("6f1c3a52-8d0e-4c55-9b0a-3f5d2e6c7a10")
KEY_FIELD = "_key"  # the document key, kept in the payload so hits and scrolls can show it
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$")


def point_id(key: str) -> str:
    """The point id of the document ``key``: a UUID5, the same in every process and every run."""
    return str(uuid.uuid5(POINT_NAMESPACE, key))


def check_collection_name(name: str) -> str:
    """``name`` if it may name a collection (letters, digits, ``_``, ``-``; 1-63; not ``_``-led)."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise VectorInputError.at(
            "name", f"{name!r} is not a collection name (1-63 letters, digits, '_' or '-', not '_' first)"
        )
    return name


@dataclass(frozen=True)
class EmbedderSpec:
    """Which embedder made a collection's vectors: enough to make more that are comparable."""

    kind: str = "hashing"  # hashing | sentence | http | none (vectors come from the caller)
    dimension: int = 384
    model: str | None = None
    base_url: str | None = None
    api_key_env: str | None = None  # the name of the variable holding the key, never the key

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON, without empty fields."""
        out: dict[str, Any] = {"kind": self.kind, "dimension": self.dimension}
        for name in ("model", "base_url", "api_key_env"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        return out

    @classmethod
    def from_dict(cls, value: Mapping[str, Any] | None, *, where: str = "embedder") -> EmbedderSpec:
        """A spec from its JSON form; unknown fields and bad values are refused, naming ``where``."""
        from shared.vectors.embedders import EMBEDDER_KINDS, default_dimension

        data = dict(value or {})
        unknown = sorted(set(data) - {"kind", "dimension", "model", "base_url", "api_key_env"})
        if unknown:
            raise VectorInputError.at(where, f"unknown field(s) {', '.join(unknown)}")
        kind = str(data.get("kind", "hashing"))
        if kind not in EMBEDDER_KINDS:
            raise VectorInputError.at(f"{where}.kind", f"expected one of {', '.join(EMBEDDER_KINDS)}")
        dimension = data.get("dimension", default_dimension(kind))
        if (
            not isinstance(dimension, int)
            or isinstance(dimension, bool)
            or not 1 <= dimension <= MAX_DIMENSION
        ):
            raise VectorInputError.at(f"{where}.dimension", f"expected an integer 1-{MAX_DIMENSION}")
        spec = cls(
            kind=kind,
            dimension=dimension,
            model=_optional_text(data, "model", where),
            base_url=_optional_text(data, "base_url", where),
            api_key_env=_optional_text(data, "api_key_env", where),
        )
        if kind == "http" and not (spec.base_url and spec.model):
            raise VectorInputError.at(where, "an http embedder needs base_url and model")
        return spec

    def is_compatible_with(self, other: EmbedderSpec) -> bool:
        """Whether vectors of ``other`` can be compared with vectors of this spec."""
        return (self.kind, self.model, self.dimension) == (other.kind, other.model, other.dimension)

    def describe(self) -> str:
        """A short name for messages: ``hashing/384``, ``sentence:all-MiniLM-L6-v2/384``."""
        return f"{self.kind}{':' + self.model if self.model else ''}/{self.dimension}"


def _optional_text(data: Mapping[str, Any], name: str, where: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > 2048:
        raise VectorInputError.at(f"{where}.{name}", "expected a non-empty string")
    return value


@dataclass(frozen=True)
class CollectionSpec:
    """What a collection is created with."""

    name: str
    dimension: int
    distance: str = "cosine"
    embedder: EmbedderSpec = field(default_factory=EmbedderSpec)

    def __post_init__(self) -> None:
        check_collection_name(self.name)
        if self.distance not in DISTANCES:
            raise VectorInputError.at("distance", f"expected one of {', '.join(DISTANCES)}")
        if not 1 <= self.dimension <= MAX_DIMENSION:
            raise VectorInputError.at("dimension", f"expected an integer 1-{MAX_DIMENSION}")
        if self.embedder.dimension != self.dimension:
            raise VectorInputError.at(
                "dimension",
                f"the collection has {self.dimension} dimensions but its embedder "
                f"{self.embedder.describe()} makes {self.embedder.dimension}",
            )


@dataclass(frozen=True)
class CollectionInfo:
    """A collection as listed: its spec and how many points it holds."""

    name: str
    dimension: int
    distance: str
    embedder: EmbedderSpec
    points: int

    def to_dict(self) -> dict[str, Any]:
        """The collection as JSON."""
        return {
            "name": self.name,
            "dimension": self.dimension,
            "distance": self.distance,
            "embedder": self.embedder.to_dict(),
            "points": self.points,
        }


@dataclass(frozen=True)
class Point:
    """One document to store: its key (the id is derived from it), its vector and its payload."""

    key: str
    vector: np.ndarray
    payload: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        """The point's id, derived from the key."""
        return point_id(self.key)


@dataclass(frozen=True)
class Hit:
    """One search result or scrolled point."""

    id: str
    key: str | None
    score: float | None
    payload: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The hit as JSON."""
        return {"id": self.id, "key": self.key, "score": self.score, "payload": self.payload}


def check_embedder(info: CollectionInfo, embedder: EmbedderSpec | None) -> None:
    """Refuse vectors made by ``embedder`` for a collection that remembers an incompatible one."""
    if (
        embedder is not None
        and info.embedder.kind != "none"
        and not info.embedder.is_compatible_with(embedder)
    ):
        raise EmbedderMismatch.at(
            "embedder",
            f"collection {info.name!r} holds vectors of {info.embedder.describe()}, "
            f"these were made by {embedder.describe()}",
        )


def as_vector(value: Any, dimension: int | None = None, where: str = "vector") -> np.ndarray:
    """``value`` as a float32 vector of finite numbers (``dimension`` of them when given); a 400 naming
    ``where`` otherwise."""
    if isinstance(value, np.ndarray):
        array = value.astype(np.float32, copy=False)
    else:
        if not isinstance(value, Sequence) or isinstance(value, str | bytes):
            raise VectorInputError.at(where, "expected a list of numbers")
        if any(isinstance(x, bool) or not isinstance(x, int | float) for x in value):
            raise VectorInputError.at(where, "expected a list of numbers")
        array = np.asarray(value, dtype=np.float32)
    if array.ndim != 1 or array.shape[0] == 0:
        raise VectorInputError.at(where, "expected a non-empty list of numbers")
    if dimension is not None and array.shape[0] != dimension:
        raise VectorInputError.at(
            where,
            f"has {array.shape[0] if array.ndim == 1 else array.shape} numbers; the collection has "
            f"{dimension} dimensions",
        )
    if not np.isfinite(array).all():
        raise VectorInputError.at(where, "holds NaN or an infinite number")
    return array


def check_payload(value: Any, where: str = "payload") -> dict[str, Any]:
    """``value`` if it is an object a point may carry (JSON, finite numbers, no reserved field)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise VectorInputError.at(where, "expected an object")
    if KEY_FIELD in value:
        raise VectorInputError.at(f"{where}.{KEY_FIELD}", "is reserved for the document key")
    _check_finite(value, where)
    return dict(value)


def _check_finite(value: Any, where: str) -> None:
    if isinstance(value, float) and not math.isfinite(value):
        raise VectorInputError.at(where, "holds NaN or an infinite number")
    if isinstance(value, Mapping):
        for k, v in value.items():
            _check_finite(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check_finite(v, f"{where}[{i}]")


def check_point_id(value: Any, where: str = "id") -> str:
    """``value`` if it is a point id as hits show them (a UUID), in its canonical spelling."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise VectorInputError.at(where, f"{value!r} is not a point id (a UUID, as hits show)") from None


def check_key(value: Any, where: str = "key") -> str:
    """``value`` if it can key a document (a non-empty string of at most 1,024 characters)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or len(value) > 1024:
        raise VectorInputError.at(where, "expected a non-empty string of at most 1024 characters")
    return value
