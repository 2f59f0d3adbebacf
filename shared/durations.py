"""Durations written like ``500ms``, ``30s``, ``2m``, ``1h`` (a bare number means seconds)."""

from __future__ import annotations

import math
import re

from shared.errors import InvalidInput

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def parse_duration(text: str, *, name: str = "duration") -> float:
    """Seconds in ``text``; :class:`InvalidInput` naming ``name`` when it is not a duration."""
    match = _DURATION.match(text or "")
    if not match:
        raise InvalidInput(f"{name}: {text!r} is not a duration; write e.g. 500ms, 30s, 2m or 1h")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if not math.isfinite(seconds):
        raise InvalidInput(f"{name}: {text!r} is too large")
    return seconds
