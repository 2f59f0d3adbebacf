"""``{{ key.path }}`` references to context values inside step config.

Rules (also in the README):
- A string that is exactly one reference, ``"{{ sales }}"``, becomes the referenced value with its type kept.
- A reference inside other text, ``"out/{{ run_id }}.json"``, is replaced by the value as text
  (JSON for lists and objects).
- A path is a context key followed by ``.field`` or ``.index`` parts: ``{{ orders.rows.0.id }}``.
- A reference to a key that no earlier step outputs (and that the input context lacks) is an error.
- Text built from references may be at most ``max_text`` characters (``pipelines.max_rendered_value_bytes``):
  ``'{{ a }}{{ a }}'`` doubles ``a``, and a few such steps in a row would ask for terabytes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from shared.errors import PluginError
from shared.pipelines.sizes import json_size, megabytes

REFERENCE = re.compile(r"\{\{\s*([A-Za-z_][\w-]*)((?:\.[\w-]+)*)\s*\}\}")
_WHOLE = re.compile(r"^\s*\{\{\s*([A-Za-z_][\w-]*)((?:\.[\w-]+)*)\s*\}\}\s*$")


def referenced_keys(value: Any, where: str = "config") -> Iterator[tuple[str, str]]:
    """Every ``(location, context key)`` that ``value`` references, walking lists and mappings."""
    if isinstance(value, str):
        for match in REFERENCE.finditer(value):
            yield where, match.group(1)
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from referenced_keys(v, f"{where}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from referenced_keys(v, f"{where}[{i}]")


DEFAULT_MAX_TEXT = 1024 * 1024


def render(
    value: Any, context: Mapping[str, Any], where: str = "config", *, max_text: int = DEFAULT_MAX_TEXT
) -> Any:
    """``value`` with every reference replaced from ``context``; text over ``max_text`` is refused."""
    if isinstance(value, str):
        if "{{" not in value:
            return value
        whole = _WHOLE.match(value)
        if whole:  # the value itself, not a copy: it is already in the context
            return _lookup(context, whole.group(1), whole.group(2), where)
        return _substitute(value, context, where, max_text)
    if isinstance(value, Mapping):
        return {k: render(v, context, f"{where}.{k}", max_text=max_text) for k, v in value.items()}
    if isinstance(value, list):
        return [render(v, context, f"{where}[{i}]", max_text=max_text) for i, v in enumerate(value)]
    return value


def _substitute(text: str, context: Mapping[str, Any], where: str, max_text: int) -> str:
    # Built piece by piece so an oversized result is refused before it is ever assembled.
    parts: list[str] = []
    size = 0
    end = 0
    for match in REFERENCE.finditer(text):
        value = _lookup(context, match.group(1), match.group(2), where)
        if not isinstance(value, str) and json_size(value, max_text) > max_text:
            _too_long(where, max_text)
        piece = _as_text(value)
        size += match.start() - end + len(piece)
        if size > max_text:
            _too_long(where, max_text)
        parts += (text[end : match.start()], piece)
        end = match.end()
    parts.append(text[end:])
    if size + len(text) - end > max_text:
        _too_long(where, max_text)
    return "".join(parts)


def _too_long(where: str, max_text: int) -> None:
    raise PluginError(
        f"{where}: the text its references render to is longer than {megabytes(max_text)} "
        f"({max_text} characters, pipelines.max_rendered_value_bytes)"
    )


def _lookup(context: Mapping[str, Any], key: str, path: str, where: str) -> Any:
    if key not in context:
        raise PluginError(f"{where}: '{{{{ {key}{path} }}}}' refers to unknown context key {key!r}")
    current = context[key]
    for part in path.split(".")[1:]:
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif (
            isinstance(current, list)
            and part.lstrip("-").isdigit()
            and -len(current) <= int(part) < len(current)
        ):
            current = current[int(part)]
        else:
            raise PluginError(f"{where}: '{{{{ {key}{path} }}}}' has no part {part!r}")
    return current


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, default=str)
