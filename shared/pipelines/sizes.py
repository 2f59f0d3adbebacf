"""A cheap, bounded estimate of a value's JSON size, to refuse oversized step outputs and contexts before
anything serialises, copies or stores them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Every number is counted as this many characters (a float's repr is at most 24; an int past the digit
# limit is refused elsewhere): the estimate stays linear in the number of values, not their digits.
_NUMBER = 24


def json_size(value: Any, limit: int) -> int:
    """About how many bytes ``value`` takes as JSON; the walk stops once the count passes ``limit``.

    Strings count their length plus quotes (escapes are ignored), containers their brackets and separators.
    The result is exact enough to enforce megabyte caps, and costs at most ``limit`` worth of walking.
    """
    total = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 3
        elif item is None or isinstance(item, bool):
            total += 6
        elif isinstance(item, int | float):
            total += _NUMBER
        elif isinstance(item, Mapping):
            total += 2 + 4 * len(item)
            if total <= limit:
                for key, child in item.items():
                    total += len(str(key))
                    stack.append(child)
        elif isinstance(item, list | tuple):
            total += 2 + len(item)
            if total <= limit:
                stack.extend(item)
        else:  # dates and other objects become their text
            total += len(str(item)) + 3
        if total > limit:
            return total
    return total


def megabytes(size: int) -> str:
    """``size`` as text for error messages: ``16 MB`` or ``1.5 MB``."""
    return f"{size / 1024 / 1024:.3g} MB"
