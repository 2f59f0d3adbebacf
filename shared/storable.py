"""Finding values that parse (from JSON or YAML) but that no database or client can hold: NUL characters
in text and non-finite numbers (PostgreSQL refuses both), and lone surrogates (nothing encodes them)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Unstorable:
    """Where the first such value is (``root.a.b[2]``, or ``… (a key)``), what it is, and the value."""

    where: str
    kind: Literal["nul", "surrogate", "not_finite"]
    value: Any


def find_unstorable(document: Any, root: str = "") -> Unstorable | None:
    """The first value (or mapping key) in ``document`` that cannot be stored, or None."""
    stack: list[tuple[Any, str]] = [(document, root)]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k)) for k, v in value.items())
            stack.extend((k, f"{where} (a key)") for k in value if isinstance(k, str))
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            return Unstorable(where, "not_finite", value)
        elif isinstance(value, str):
            if "\x00" in value:
                return Unstorable(where, "nul", value)
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                return Unstorable(where, "surrogate", value[exc.start])
    return None
