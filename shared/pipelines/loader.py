"""Reading pipeline YAML safely: a size cap, a safe loader, and a bound on alias expansion."""

from __future__ import annotations

import sys
from datetime import date, datetime
from typing import Any

import yaml

from shared.errors import InvalidInput, PayloadTooLarge, Unparseable
from shared.storable import find_unstorable

MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_NODES = 200_000


def parse_yaml(text: str, *, max_bytes: int = MAX_YAML_BYTES, max_nodes: int = MAX_YAML_NODES) -> Any:
    """The document in ``text``, parsed with a safe loader; refuses oversize and alias bombs."""
    if len(text.encode("utf-8", errors="replace")) > max_bytes:
        raise PayloadTooLarge(f"pipeline YAML is larger than {max_bytes} bytes")
    try:
        node = yaml.compose(text, Loader=PipelineLoader)
        if node is None:
            raise InvalidInput("pipeline YAML is empty")
        _check_expanded_size(node, max_nodes)
        document = yaml.load(text, Loader=PipelineLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError as exc:
        raise Unparseable(f"pipeline YAML does not parse: {_yaml_error_text(exc)}") from exc
    except RecursionError as exc:
        raise Unparseable("pipeline YAML is nested too deeply") from exc
    _check_storable(document)
    return document


class PipelineLoader(yaml.SafeLoader):
    """The safe loader, limited to values a JSON column holds: an unquoted date or timestamp becomes its ISO
    text (what the writer meant; a ``date`` cannot be stored), and ``!!binary``, ``!!set`` and integers
    too long for ``int()`` are refused naming their line and column, instead of failing at the insert."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> str:  # type: ignore[override]
        value: date | datetime = super().construct_yaml_timestamp(node)  # type: ignore[arg-type]
        return value.isoformat()

    def construct_yaml_int(self, node: yaml.Node) -> int:
        try:
            return int(super().construct_yaml_int(node))  # type: ignore[arg-type]
        except ValueError as exc:  # past sys.int_info.default_max_str_digits
            raise InvalidInput.at(
                _where(node),
                f"an integer with {len(str(node.value))} digits is too large "
                f"(at most {sys.int_info.default_max_str_digits}); quote it to keep it as text",
            ) from exc

    def refuse_binary(self, node: yaml.Node) -> Any:
        """``!!binary`` has no JSON form."""
        raise InvalidInput.at(_where(node), "!!binary values are not supported; use base64 text instead")

    def refuse_set(self, node: yaml.Node) -> Any:
        """``!!set`` has no JSON form."""
        raise InvalidInput.at(_where(node), "!!set values are not supported; use a list")


PipelineLoader.add_constructor("tag:yaml.org,2002:timestamp", PipelineLoader.construct_yaml_timestamp)
PipelineLoader.add_constructor("tag:yaml.org,2002:int", PipelineLoader.construct_yaml_int)
PipelineLoader.add_constructor("tag:yaml.org,2002:binary", PipelineLoader.refuse_binary)
PipelineLoader.add_constructor("tag:yaml.org,2002:set", PipelineLoader.refuse_set)


def _where(node: yaml.Node) -> str:
    return f"pipeline YAML line {node.start_mark.line + 1}, column {node.start_mark.column + 1}"


def pipeline_mappings(document: Any) -> list[tuple[str, Any]]:
    """``(location, raw pipeline)`` pairs from either Mimir shape: ``pipelines: [...]`` or one pipeline."""
    if isinstance(document, dict) and "pipelines" in document:
        extra = sorted(set(document) - {"pipelines"})
        if extra:
            raise InvalidInput(f"unknown top-level field(s) beside 'pipelines': {', '.join(map(str, extra))}")
        pipelines = document["pipelines"]
        if not isinstance(pipelines, list) or not pipelines:
            raise InvalidInput("'pipelines' must be a non-empty list of pipelines")
        return [(f"pipelines[{i}]", p) for i, p in enumerate(pipelines)]
    if isinstance(document, dict):
        return [("pipeline", document)]
    raise InvalidInput(
        "pipeline YAML must be a mapping: either 'pipelines: [...]' or a pipeline with 'name' and 'steps'"
    )


def _check_expanded_size(root: yaml.Node, max_nodes: int) -> None:
    # Count nodes as the constructed value would hold them after aliases expand (billion laughs).
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        sizes[key] = max_nodes + 1  # a cycle counts as too large
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        sizes[key] = min(total, max_nodes + 1)
        return sizes[key]

    if size(root) > max_nodes:
        raise PayloadTooLarge(f"pipeline YAML expands to more than {max_nodes} values (alias bomb?)")


def _check_storable(document: Any) -> None:
    # Values YAML allows but a JSON column cannot hold.
    found = find_unstorable(document)
    if found is None:
        return
    if found.kind == "not_finite":
        raise InvalidInput(f"pipeline YAML: {found.where}: {found.value} is not allowed; use a finite number")
    if found.kind == "nul":
        raise InvalidInput(f"pipeline YAML: {found.where}: NUL characters (\\0) are not allowed in text")
    raise InvalidInput(
        f"pipeline YAML: {found.where}: a lone surrogate ({found.value!r}) is not valid Unicode"
    )


def _yaml_error_text(exc: yaml.YAMLError) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    if mark is not None:
        return f"{problem} at line {mark.line + 1}, column {mark.column + 1}"
    return str(problem)
