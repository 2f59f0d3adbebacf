"""Turning a run request (by name, id, server-side file or inline YAML) into the pipeline to run."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shared.db.engine import Database
from shared.errors import Conflict, InvalidInput, NotFound, PipelineValidationError, Problem
from shared.jobs.service import JobRequest
from shared.pipelines import service as pipelines
from shared.pipelines.job_kind import PIPELINE_KIND, pending_steps, pipeline_spec
from shared.pipelines.model import PipelineDefinition
from shared.pipelines.records import PipelineRecord
from shared.pipelines.validation import check_inputs_given, load_pipelines, load_single_pipeline
from shared.plugins.registry import PluginRegistry


@dataclass(frozen=True)
class RunTarget:
    """The pipeline a job will run, and which stored pipeline and revision it came from (if any)."""

    definition: PipelineDefinition
    pipeline_id: str | None = None
    revision: int | None = None

    def job_request(self, context: dict[str, Any]) -> JobRequest:
        """A pipeline job running this target over ``context``."""
        return JobRequest(
            kind=PIPELINE_KIND,
            spec=pipeline_spec(self.definition),
            context=context,
            steps=pending_steps(self.definition),
            pipeline_id=self.pipeline_id,
            pipeline_revision=self.revision,
        )


@dataclass(frozen=True)
class RunRequest:
    """What a caller asked to run: exactly one of the four pipeline references, and the input context."""

    pipeline_name: str | None = None
    pipeline_id: str | None = None
    pipeline_file: str | None = None
    pipeline_yaml: str | None = None
    context: dict[str, Any] | None = None


def resolve_run_target(
    db: Database, registry: PluginRegistry, request: RunRequest, *, pipelines_dir: Path
) -> RunTarget:
    """The pipeline ``request`` names, validated; a clear error when it names none or several.

    ``pipeline_file`` with ``pipeline_name`` (the original Mimir's request) picks that pipeline out of a
    file of several."""
    target = _resolve(db, registry, request, pipelines_dir)
    check_inputs_given(target.definition, request.context or {})
    return target


def resolve_batch_target(
    db: Database,
    registry: PluginRegistry,
    request: RunRequest,
    contexts: list[dict[str, Any]],
    *,
    pipelines_dir: Path,
) -> RunTarget:
    """The pipeline ``request`` names, validated for every one of ``contexts`` (a reference to a context
    key must hold for all of them); a missing declared input names its context's index."""
    shared_keys = set(contexts[0]).intersection(*contexts[1:]) if contexts else set()
    target = _resolve(
        db, registry, replace(request, context=dict.fromkeys(sorted(shared_keys))), pipelines_dir
    )
    problems: list[Problem] = []
    for index, context in enumerate(contexts):
        problems += [
            Problem(f"contexts[{index}].{key}", f"required: pipeline {target.definition.name!r} declares it")
            for key in target.definition.inputs
            if key not in context
        ]
    if problems:
        raise PipelineValidationError(
            problems,
            message="missing declared input(s): "
            + ", ".join(p.location for p in problems[:20])
            + (f" and {len(problems) - 20} more" if len(problems) > 20 else ""),
        )
    return target


def _resolve(db: Database, registry: PluginRegistry, request: RunRequest, pipelines_dir: Path) -> RunTarget:
    if request.pipeline_file is not None and request.pipeline_name is not None:
        return _named_in_file(request, registry, pipelines_dir)
    given = {
        k: v
        for k, v in (
            ("pipeline_name", request.pipeline_name),
            ("pipeline_id", request.pipeline_id),
            ("pipeline_file", request.pipeline_file),
            ("pipeline_yaml", request.pipeline_yaml),
        )
        if v is not None
    }
    if len(given) != 1:
        named = ", ".join(given) or "none"
        raise InvalidInput(
            f"give exactly one of pipeline_name, pipeline_id, pipeline_file or pipeline_yaml (given: {named})"
        )
    context_keys = list((request.context or {}).keys())
    if request.pipeline_yaml is not None:
        return RunTarget(_INLINE_PIPELINES.load(request.pipeline_yaml, registry, context_keys))
    if request.pipeline_file is not None:
        text = _read_pipeline_file(request.pipeline_file, pipelines_dir)
        return RunTarget(load_single_pipeline(text, registry, context_keys=context_keys))
    if request.pipeline_id is not None:
        record = pipelines.get_pipeline(db, request.pipeline_id)
    else:
        record = pipelines.get_pipeline_by_name(db, str(request.pipeline_name))
    return stored_target(record)


def _named_in_file(request: RunRequest, registry: PluginRegistry, pipelines_dir: Path) -> RunTarget:
    if request.pipeline_id is not None or request.pipeline_yaml is not None:
        raise InvalidInput(
            "give pipeline_file (with pipeline_name to pick one pipeline of the file), "
            "or exactly one of pipeline_name, pipeline_id, pipeline_yaml"
        )
    text = _read_pipeline_file(str(request.pipeline_file), pipelines_dir)
    definitions = load_pipelines(text, registry, context_keys=list((request.context or {}).keys()))
    for definition in definitions:
        if definition.name == request.pipeline_name:
            return RunTarget(definition)
    names = ", ".join(repr(d.name) for d in definitions)
    raise InvalidInput.at(
        "pipeline_name",
        f"{request.pipeline_file!r} has no pipeline named {request.pipeline_name!r} ({names})",
    )


_CacheKey = tuple[PluginRegistry, str, tuple[str, ...]]


class _ValidatedPipelineCache:
    """Recently validated inline pipelines: clients that enqueue the same YAML over and over (the common
    case for scripted runs) skip parsing and validation, about a millisecond per request. Only successes
    are kept; definitions are immutable; plugins don't change while a process runs."""

    def __init__(self, capacity: int = 256, max_text_length: int = 64 * 1024) -> None:
        self._entries: OrderedDict[_CacheKey, PipelineDefinition] = OrderedDict()
        self._lock = threading.Lock()
        self._capacity = capacity
        self._max_text_length = max_text_length

    def load(self, text: str, registry: PluginRegistry, context_keys: list[str]) -> PipelineDefinition:
        """The validated pipeline in ``text`` (raises the validation error as ``load_single_pipeline``)."""
        if len(text) > self._max_text_length:
            return load_single_pipeline(text, registry, context_keys=context_keys)
        key = (registry, text, tuple(sorted(context_keys)))
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        definition = load_single_pipeline(text, registry, context_keys=context_keys)
        with self._lock:
            self._entries[key] = definition
            if len(self._entries) > self._capacity:
                self._entries.popitem(last=False)
        return definition


_INLINE_PIPELINES = _ValidatedPipelineCache()


def stored_target(record: PipelineRecord) -> RunTarget:
    """The run target for a stored pipeline at its current revision; refuses a disabled one."""
    if not record.enabled:
        raise Conflict(f"pipeline {record.name!r} is disabled; enable it before running it")
    return RunTarget(PipelineDefinition.from_dict(record.definition), record.id, record.revision)


def _read_pipeline_file(raw: str, pipelines_dir: Path) -> str:
    root = pipelines_dir.resolve()
    candidate = Path(raw)
    if ".." in candidate.parts:
        raise InvalidInput(f"pipeline_file {raw!r} is outside the pipelines directory ('..' is refused)")
    if candidate.is_absolute() or "\x00" in raw:
        raise InvalidInput(f"pipeline_file {raw!r} must be a path relative to the pipelines directory")
    path = (root / candidate).resolve()
    if root not in path.parents:
        raise InvalidInput(f"pipeline_file {raw!r} is outside the pipelines directory")
    if path.suffix not in (".yaml", ".yml"):
        raise InvalidInput(f"pipeline_file {raw!r} must be a .yaml or .yml file")
    if not path.is_file():
        raise NotFound(f"pipeline_file {raw!r} not found in the pipelines directory")
    return path.read_text(encoding="utf-8")
