"""Payload filters in a small JSON form, turned into Qdrant's filter model.

``{"lang": "en"}`` matches a value, ``{"lang": ["en", "de"]}`` any of several, ``{"year": {"gte": 2020,
"lt": 2024}}`` a range; several fields must all match.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from shared.vectors.errors import VectorInputError

if TYPE_CHECKING:  # qdrant-client takes a second to import; processes that never filter don't pay it
    from qdrant_client import models

_RANGE_OPS = ("gt", "gte", "lt", "lte")


def check_filter(value: Any, where: str = "filter") -> dict[str, Any] | None:
    """``value`` if it is a filter this module understands (None passes); a 400 naming the bad part."""
    if value is None:
        return None
    to_qdrant_filter(value, where)
    return dict(value)


def to_qdrant_filter(value: Any, where: str = "filter") -> models.Filter:
    """The Qdrant filter for the JSON form ``value``."""
    from qdrant_client import models

    if not isinstance(value, Mapping) or not value:
        raise VectorInputError.at(where, "expected an object of field: condition")
    return models.Filter(must=[_condition(str(k), v, f"{where}.{k}") for k, v in value.items()])


def _condition(field: str, value: Any, where: str) -> models.FieldCondition:
    from qdrant_client import models

    if not field:
        raise VectorInputError.at(where, "a field name must not be empty")
    if isinstance(value, list):
        if not value or not all(_is_matchable(v) for v in value) or len({type(v) for v in value}) > 1:
            raise VectorInputError.at(where, "expected a non-empty list of strings or of integers")
        return models.FieldCondition(key=field, match=models.MatchAny(any=value))
    if isinstance(value, Mapping):
        unknown = sorted(set(value) - set(_RANGE_OPS))
        if unknown or not value:
            raise VectorInputError.at(where, f"a range takes {', '.join(_RANGE_OPS)}")
        for op, bound in value.items():
            if isinstance(bound, bool) or not isinstance(bound, int | float) or not math.isfinite(bound):
                raise VectorInputError.at(f"{where}.{op}", "expected a finite number")
        return models.FieldCondition(key=field, range=models.Range(**{k: float(v) for k, v in value.items()}))
    if not _is_matchable(value):
        raise VectorInputError.at(where, "expected a string, an integer, a boolean, a list or a range")
    return models.FieldCondition(key=field, match=models.MatchValue(value=value))


def _is_matchable(value: Any) -> bool:
    return isinstance(value, str | int) and not (isinstance(value, str) and len(value) > 1024)
