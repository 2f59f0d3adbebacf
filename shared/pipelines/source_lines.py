"""Where in the YAML text a validation problem is: ``pipeline.steps[1].config.input`` -> line 9.

The validator locates problems by path in the parsed value; an editor needs lines. This walks the composed
YAML node tree (which keeps each node's position) along the same path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_PARSE_POSITION = re.compile(r"at line (\d+), column (\d+)")


@dataclass(frozen=True)
class SourcePosition:
    """A 1-based line and column in the YAML text."""

    line: int
    column: int


def position_of(text: str, location: str) -> SourcePosition | None:
    """Where ``location`` (a validator path) is in ``text``: the deepest node of the path that exists, so a
    missing field points at the mapping that lacks it. None if the text does not parse."""
    try:
        node: yaml.Node | None = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    if node is None:
        return None
    shown: yaml.Node = node
    for key, index in _PART.findall(location)[_skip_root(node, location) :]:
        step = _child(node, key, index)
        if step is None:
            break
        node, shown = step
    mark = shown.start_mark
    return SourcePosition(mark.line + 1, mark.column + 1)


def parse_error_position(message: str) -> SourcePosition | None:
    """The position a "does not parse ... at line L, column C" message names, if it names one."""
    match = _PARSE_POSITION.search(message)
    return SourcePosition(int(match[1]), int(match[2])) if match else None


def _skip_root(root: yaml.Node, location: str) -> int:
    # "pipeline.x" means the document itself is the pipeline; "pipelines[0].x" walks from the document.
    return 1 if location == "pipeline" or location.startswith(("pipeline.", "pipeline[")) else 0


def _child(node: yaml.Node, key: str, index: str) -> tuple[yaml.Node, yaml.Node] | None:
    """``(the child, the node to show)``: a field is shown at its key (where a typo is), an item at itself."""
    if index and isinstance(node, yaml.SequenceNode):
        position = int(index)
        return (node.value[position],) * 2 if position < len(node.value) else None
    if key and isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node, key_node
    return None
