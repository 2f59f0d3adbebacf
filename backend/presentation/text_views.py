"""Plain-text views of the system for terminals: every line fits in 80 columns.

Each ``render_*`` function takes values already read (no I/O here) and returns the text, ending in a
newline, so ``curl`` output reads well and the views can be tested on their own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.jobs.status import JobStatus
from shared.pipelines.model import PipelineDefinition
from shared.plugins.base import Plugin
from shared.plugins.registry import PluginRegistry
from shared.scheduling.service import ScheduleView

WIDTH = 80
_BAR_WIDTH = 40


@dataclass(frozen=True)
class ComponentState:
    """One component as probed: up or down, how long the probe took, and a detail or the error."""

    name: str
    is_up: bool
    latency_ms: float | None = None
    detail: str = ""


def render_system(
    title: str,
    now: datetime,
    components: Sequence[ComponentState],
    workers: Sequence[str] | None,
    job_counts: Mapping[str, int],
    queue_lengths: Mapping[str, int | None],
) -> str:
    """Components up or down, the workers online, jobs by status (with bars) and broker queue lengths."""
    lines = [_title(title, _when(now)), "", "Components"]
    for c in components:
        latency = f"{c.latency_ms:7.1f} ms" if c.latency_ms is not None else " " * 10
        lines.append(_fit(f"  {c.name:<10} {'up' if c.is_up else 'DOWN':<5} {latency}  {c.detail}"))
    lines += ["", "Workers" + (f" ({len(workers)} online)" if workers is not None else " (unknown)")]
    if workers is None:
        lines.append("  the broker is unreachable, so live workers cannot be listed")
    lines += [_fit(f"  {name}") for name in workers or []]
    if workers == []:
        lines.append("  none: queued jobs wait until a worker starts")
    lines += ["", "Jobs by status"]
    largest = max((job_counts.get(s.value, 0) for s in JobStatus), default=0)
    for status in JobStatus:
        count = job_counts.get(status.value, 0)
        bar = "#" * (round(count / largest * _BAR_WIDTH) if largest else 0)
        if count and not bar:
            bar = "#"
        lines.append(f"  {status.value:<10} {count:>9}  {bar}")
    lines += ["", "Broker queues"]
    for queue, length in queue_lengths.items():
        waiting = "unknown" if length is None else f"{length} waiting"
        lines.append(_fit(f"  {queue:<24} {waiting}"))
    return _text(lines)


def render_pipeline(
    pipeline_id: str, revision: int, definition: PipelineDefinition, registry: PluginRegistry
) -> str:
    """The pipeline's steps as a numbered flow, each with its plugin (and whether it is installed)."""
    state = "enabled" if definition.enabled else "disabled"
    lines = [
        _title(f"Pipeline {definition.name}", f"revision {revision}, {state}"),
        _fit(f"id {pipeline_id}"),
    ]
    if definition.description:
        lines.append(_fit(definition.description))
    if definition.inputs:
        lines.append(_fit("inputs: " + ", ".join(definition.inputs)))
    lines += ["", "  (start)"]
    for index, step in enumerate(definition.steps):
        plugin = registry.get(step.plugin)
        installed = f"  ({plugin.type})" if plugin else "  (NOT INSTALLED)"
        lines += [
            "     |",
            "     v",
            _fit(f"  [{index}] {step.name}"),
            _fit(f"      plugin  {step.plugin}{installed}"),
        ]
        source = step.config.get("input")
        if isinstance(source, str):
            lines.append(_fit(f"      input   {source}"))
        lines.append(_fit(f"      output  {step.output_key}"))
    lines += ["     |", "     v", "  (end)"]
    return _text(lines)


def render_schedules(schedules: Sequence[ScheduleView], total: int, leader: str | None, now: datetime) -> str:
    """Each schedule's cron, next run, last run and last status, with its pipeline and policies."""
    lines = [_title(f"Schedules ({total})", _when(now)), _fit(f"beat leader: {leader or 'none'}"), ""]
    if not schedules:
        lines.append("no schedules")
        return _text(lines)
    lines.append(f"{'NAME':<20} {'CRON':<14} {'NEXT RUN (UTC)':<16} {'LAST RUN (UTC)':<16} LAST")
    for view in schedules:
        s = view.record
        next_run = _minute(s.next_run) if s.enabled else "disabled"
        last_run = _minute(s.last_run) if s.last_run else "never"
        status = view.last_status or "-"
        lines.append(_fit(f"{s.name:<20.20} {s.cron_expr:<14.14} {next_run:<16} {last_run:<16} {status}"))
        lines.append(
            _fit(
                f"  -> {view.pipeline_name or '(pipeline gone)'}; {s.timezone}; "
                f"catch-up {s.catchup}; overlap {s.overlap}"
            )
        )
    if total > len(schedules):
        lines.append(f"... and {total - len(schedules)} more")
    return _text(lines)


def render_plugins(plugins: Iterable[type[Plugin]], types: Sequence[str] = ()) -> str:
    """The installed plugins grouped by type (``types`` first, in that order), each with its version and the
    start of its description."""
    by_type: dict[str, list[type[Plugin]]] = {}
    for plugin in plugins:
        by_type.setdefault(plugin.type, []).append(plugin)
    total = sum(len(group) for group in by_type.values())
    lines = [_title(f"Plugins ({total} installed)", "")]
    ordered = [t for t in types if t in by_type] + sorted(set(by_type) - set(types))
    for plugin_type in ordered:
        group = sorted(by_type[plugin_type], key=lambda p: p.name)
        lines += ["", f"{plugin_type} ({len(group)})"]
        for plugin in group:
            summary = " ".join(plugin.description.split())
            lines.append(_fit(f"  {plugin.name:<22.22} {plugin.version:<8.8} {summary}"))
    return _text(lines)


def _title(left: str, right: str) -> str:
    gap = max(WIDTH - len(left) - len(right), 1)
    return _fit(f"{left}{' ' * gap}{right}") + "\n" + "=" * WIDTH


def _when(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M:%S UTC")


def _minute(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def _fit(line: str) -> str:
    return line if len(line) <= WIDTH else line[: WIDTH - 3] + "..."


def _text(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"
