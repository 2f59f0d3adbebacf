"""``mimir run FILE.yaml``: run a pipeline in this process, with no services."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from shared.errors import MimirError
from shared.pipelines.engine import run_pipeline
from shared.pipelines.validation import load_pipelines
from shared.plugins.base import RunEnvironment
from shared.plugins.registry import PluginRegistry


@click.command("run")
@click.argument("pipeline_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pipeline", "pipeline_name", help="Which pipeline of the file to run (default: the first).")
@click.option("--context", "context_json", default="{}", help="Input context as a JSON object.")
@click.option(
    "--data-dir",
    "data_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory file steps may read (repeatable; default: the YAML's folder and the current one).",
)
@click.option(
    "--output-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True
)
@click.option("--plugins-dir", "plugin_dirs", multiple=True, type=click.Path(file_okay=False, path_type=Path))
def run_command(
    pipeline_file: Path,
    pipeline_name: str | None,
    context_json: str,
    data_dirs: tuple[Path, ...],
    output_dir: Path,
    plugin_dirs: tuple[Path, ...],
) -> None:
    """Run a pipeline from FILE locally and print the result as JSON (exit 1 when it fails)."""
    try:
        context = json.loads(context_json)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--context") from exc
    if not isinstance(context, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--context")
    registry = PluginRegistry.default(plugin_dirs)
    try:
        definitions = load_pipelines(
            pipeline_file.read_text(encoding="utf-8"), registry, context_keys=context
        )
    except MimirError as exc:
        click.echo(f"error: {exc.message}", err=True)
        for problem in (exc.errors or []) if isinstance(exc.errors, list) else []:
            click.echo(f"  - {problem['location']}: {problem['message']}", err=True)
        sys.exit(2)
    chosen = [d for d in definitions if pipeline_name in (None, d.name)]
    if not chosen:
        names = ", ".join(d.name for d in definitions)
        raise click.BadParameter(
            f"no pipeline named {pipeline_name!r} (file has: {names})", param_hint="--pipeline"
        )
    env = RunEnvironment(
        data_dirs=data_dirs or (pipeline_file.parent.resolve(), Path.cwd()),
        output_dir=output_dir.resolve(),
    )
    result = run_pipeline(chosen[0], registry, context=context, env=env)
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
