"""The engine: runs a validated pipeline's steps in order over one context."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from shared.errors import JobCancelled, MimirError, PluginError
from shared.jobs.status import StepStatus
from shared.pipelines.model import PipelineDefinition, StepDefinition
from shared.pipelines.sizes import json_size, megabytes
from shared.pipelines.templating import render
from shared.plugins.base import RunContext, RunEnvironment, StepSpec
from shared.plugins.registry import PluginRegistry
from shared.stopping import StopSignal, TimeLimitExceeded

STEP_TIMEOUT_SETTING = "plugins.step_timeout_seconds"


@dataclass
class StepRecord:
    """What happened to one step of a run."""

    index: int
    name: str
    plugin: str
    status: StepStatus = StepStatus.PENDING
    started_at: str | None = None
    finished_at: str | None = None
    duration_ms: float | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as a JSON-ready mapping."""
        # Spelled out: dataclasses.asdict deep-copies every field, and this runs for every step record at
        # every step start and end (about 10% of a no-op job's CPU in a worker).
        return {
            "index": self.index,
            "name": self.name,
            "plugin": self.plugin,
            "status": self.status.value,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "duration_ms": self.duration_ms,
            "error": self.error,
        }

    @property
    def elapsed_ms(self) -> float | None:
        """How long the step ran (a failed step has no ``duration_ms``, only its start and end)."""
        if self.duration_ms is not None:
            return self.duration_ms
        if not (self.started_at and self.finished_at):
            return None
        delta = datetime.fromisoformat(self.finished_at) - datetime.fromisoformat(self.started_at)
        return delta.total_seconds() * 1000


@dataclass
class RunResult:
    """The outcome of a run: success, the final context, a record per step, and the error if any."""

    success: bool
    context: dict[str, Any]
    steps: list[StepRecord] = field(default_factory=list)
    error: str | None = None
    cancelled: bool = False


StepObserver = Callable[[StepRecord, list[StepRecord]], None]


def run_pipeline(
    definition: PipelineDefinition,
    registry: PluginRegistry,
    *,
    context: dict[str, Any] | None = None,
    env: RunEnvironment | None = None,
    observer: StepObserver | None = None,
    stop: StopSignal | None = None,
) -> RunResult:
    """Run every step in order; stop at the first failure. ``observer`` sees each step start and end.

    ``stop`` (set by a cancel, a lost lease or the job's time limit) is checked before each step and is
    what a waiting step wakes on; each step runs under ``env.step_timeout_seconds``. A cancel (or an
    observer raising :class:`JobCancelled`) ends the run as cancelled; a time limit fails the step.
    """
    run_context = RunContext(
        values=dict(context or {}), env=env or RunEnvironment(), stop=stop or StopSignal()
    )
    sizes = _ContextSizes(run_context)
    records = [StepRecord(index=i, name=s.name, plugin=s.plugin) for i, s in enumerate(definition.steps)]
    for record, step in zip(records, definition.steps, strict=True):
        if isinstance(run_context.stop.reason, JobCancelled):  # the next step never starts
            return _cancelled(run_context, records)
        record.status = StepStatus.RUNNING
        record.started_at = _now()
        try:
            run_context.stop.raise_if_stopped()  # the job's time limit fails the step it would start
            if observer:
                observer(record, records)
            started = time.perf_counter()
            output = _execute_in_time(step, registry, run_context, record.index, sizes)
            record.duration_ms = round((time.perf_counter() - started) * 1000, 3)
        except JobCancelled:
            return _cancelled(run_context, records)
        except MimirError as exc:
            return _failed(run_context, records, record, exc.message)
        except Exception as exc:  # a plugin's own bug must fail the step, not the worker
            return _failed(run_context, records, record, f"{type(exc).__name__}: {exc}")
        run_context.values[step.output_key] = output
        record.status = StepStatus.SUCCEEDED
        record.finished_at = _now()
        if observer:
            try:
                observer(record, records)
            except JobCancelled:
                return _cancelled(run_context, records)
    return RunResult(True, run_context.values, records)


def _execute_in_time(
    step: StepDefinition, registry: PluginRegistry, context: RunContext, index: int, sizes: _ContextSizes
) -> Any:
    """The step's output; a :class:`TimeLimitExceeded` if it overran its (or the job's) time limit, even
    when it could not be interrupted and finished late."""
    # The step's own timeout_seconds, else the operator's default for every step.
    limit: float | None
    if step.timeout_seconds is not None:
        limit, setting = step.timeout_seconds, f"steps[{index}].timeout_seconds"
    else:
        limit, setting = context.env.step_timeout_seconds, STEP_TIMEOUT_SETTING
    with context.stop.limit_step(limit, setting):
        output = _execute(step, registry, context, index, sizes)
    if isinstance(context.stop.reason, TimeLimitExceeded):
        raise context.stop.reason
    # A cancel that came while an uninterruptible step ran keeps the step's output; the next check stops.
    return output


def _cancelled(context: RunContext, records: list[StepRecord]) -> RunResult:
    _skip_rest(records, "cancelled")
    return RunResult(False, context.values, records, "cancelled", cancelled=True)


def _execute(
    step: StepDefinition, registry: PluginRegistry, context: RunContext, index: int, sizes: _ContextSizes
) -> Any:
    plugin_class = registry.get(step.plugin)
    if plugin_class is None:
        raise PluginError(f"unknown plugin {step.plugin!r}")
    where = f"steps[{index}].config"
    config = render(step.config, context.values, where, max_text=context.env.max_rendered_value_bytes)
    plugin = plugin_class()
    problems = plugin.validate_config(config)
    if problems:
        raise PluginError("; ".join(f"steps[{index}].{p}" for p in problems))
    spec = StepSpec(name=step.name, plugin=step.plugin, config=config, output=step.output)
    output = plugin.execute_step(spec, context)
    sizes.admit(step.output_key, output)  # before serialising: an oversized output is never copied
    return to_json_value(output)


class _ContextSizes:
    """The estimated JSON size of each context value, so each step's output is checked against the step
    cap and the context cap without measuring the whole context again."""

    def __init__(self, context: RunContext) -> None:
        self._env = context.env
        limit = self._env.max_context_bytes
        self._sizes = {key: json_size(value, limit) for key, value in context.values.items()}
        self._total = sum(self._sizes.values())

    def admit(self, key: str, output: Any) -> None:
        """Record ``output`` under ``key``; a :class:`PluginError` if it breaks either cap."""
        step_cap, context_cap = self._env.max_step_output_bytes, self._env.max_context_bytes
        size = json_size(output, step_cap)
        if size > step_cap:
            raise PluginError(
                f"the step's output is larger than {megabytes(step_cap)} "
                f"({step_cap} bytes, pipelines.max_step_output_bytes); it was not stored"
            )
        total = self._total - self._sizes.get(key, 0) + size
        if total > context_cap:
            raise PluginError(
                f"with this step's output ({megabytes(size)}) the job's context would be larger than "
                f"{megabytes(context_cap)} ({context_cap} bytes, pipelines.max_context_bytes); "
                "it was not stored"
            )
        self._sizes[key] = size
        self._total = total


def to_json_value(value: Any) -> Any:
    """``value`` as plain JSON types (dates and other objects become strings)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return json.loads(json.dumps(value, default=str))


def _failed(context: RunContext, records: list[StepRecord], record: StepRecord, message: str) -> RunResult:
    record.status = StepStatus.FAILED
    record.error = message
    record.finished_at = _now()
    _skip_rest(records, None)
    return RunResult(False, context.values, records, f"step {record.index} ({record.name}) failed: {message}")


def _skip_rest(records: list[StepRecord], reason: str | None) -> None:
    for record in records:
        if record.status in (StepStatus.PENDING, StepStatus.RUNNING):
            is_cut_short = record.status == StepStatus.RUNNING and reason
            record.status = StepStatus.CANCELLED if is_cut_short else StepStatus.SKIPPED
            record.finished_at = _now()


def _now() -> str:
    return datetime.now(UTC).isoformat()
