"""``mimir run FILE.yaml``: run a pipeline in this process, with no services.

File steps see what they see on the server: they read from ``files.directories`` (default
``<data_dir>/files``) and write to ``files.output_directory`` (default ``<data_dir>/output``), with the same
settings (config.yaml, then the environment, then the options).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mimir.cli.options import CONFIG_OPTION, DATA_DIR_OPTION, settings_from_options
from shared.config import Settings
from shared.errors import MimirError
from shared.pipelines.engine import run_pipeline
from shared.pipelines.validation import load_pipelines
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry


@click.command("run")
@click.argument("pipeline_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pipeline", "pipeline_name", help="Which pipeline of the file to run (default: the first).")
@click.option("--context", "context_json", default="{}", help="Input context as a JSON object.")
@CONFIG_OPTION
@DATA_DIR_OPTION
@click.option(
    "--files-dir",
    "files_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory file steps may read (repeatable; default: files.directories, <data_dir>/files).",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where output steps write (default: files.output_directory, <data_dir>/output).",
)
@click.option("--plugins-dir", "plugin_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path))
def run_command(
    pipeline_file: Path,
    pipeline_name: str | None,
    context_json: str,
    config_file: Path | None,
    data_dir: Path | None,
    files_dirs: tuple[Path, ...],
    output_dir: Path | None,
    plugin_dirs: tuple[Path, ...],
) -> None:
    """Run a pipeline from FILE here and print the result as JSON (exit 1 when it fails, 2 when invalid)."""
    try:
        context = json.loads(context_json)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--context") from exc
    if not isinstance(context, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--context")
    settings = settings_from_options(
        config_file,
        data_dir=data_dir,
        file_directories=files_dirs or None,
        output_dir=str(output_dir) if output_dir else None,
    )
    registry = PluginRegistry.default((*settings.plugin_directories, *plugin_dirs))
    try:
        definitions = load_pipelines(
            pipeline_file.read_text(encoding="utf-8"), registry, context_keys=context
        )
    except MimirError as exc:
        _print_problems(exc)
        sys.exit(2)
    chosen = [d for d in definitions if pipeline_name in (None, d.name)]
    if not chosen:
        names = ", ".join(d.name for d in definitions)
        raise click.BadParameter(
            f"no pipeline named {pipeline_name!r} (file has: {names})", param_hint="--pipeline"
        )
    result = run_pipeline(chosen[0], registry, context=context, env=_run_environment(settings))
    click.echo(
        json.dumps(
            {
                "pipeline": chosen[0].name,
                "success": result.success,
                "error": result.error,
                "steps": [r.to_dict() for r in result.steps],
                "context": result.context,
            },
            indent=2,
            default=str,
        )
    )
    sys.exit(0 if result.success else 1)


def _print_problems(exc: MimirError) -> None:
    """The error once: a located list when the error has one, else its message."""
    problems = exc.errors if isinstance(exc.errors, list) else []
    if not problems:
        click.echo(f"error: {exc.message}", err=True)
        return
    click.echo(f"error: the pipeline is invalid ({len(problems)} problem(s)):", err=True)
    for problem in problems:
        click.echo(f"  - {problem['location']}: {problem['message']}", err=True)


def _run_environment(settings: Settings) -> RunEnvironment:
    """The file roots and HTTP limits of a job on the server (shared/jobs/runner.run_environment)."""
    return RunEnvironment(
        data_dirs=tuple(p.resolve() for p in settings.resolved_file_directories),
        output_dir=settings.resolved_output_dir.resolve(),
        http_timeout_seconds=settings.http_timeout_seconds,
        http_max_bytes=settings.http_max_bytes,
        http_allow_private=settings.http_allow_private,
        http_allowlist=settings.http_allowlist,
    )
