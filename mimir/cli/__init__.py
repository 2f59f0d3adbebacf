"""The ``mimir`` command line: ``up``, ``api``, ``worker``, ``beat``, ``backup``, ``keys``, ``run``,
``mcp``."""

from __future__ import annotations

import click

from mimir.cli.run import run_command


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="mimir-aip")
def main() -> None:
    """Mimir AIP: YAML pipelines of plugin steps, run by Celery workers behind an HTTP API."""


main.add_command(run_command)


def _add_service_commands() -> None:
    # Imported here, not at the top, so `mimir run` never pays for Flask and Celery imports.
    from mimir.cli.keys import keys_group
    from mimir.cli.mcp import mcp_command
    from mimir.cli.services import api_command, backup_command, beat_command, up_command, worker_command

    main.add_command(up_command)
    main.add_command(api_command)
    main.add_command(worker_command)
    main.add_command(beat_command)
    main.add_command(backup_command)
    main.add_command(keys_group)
    main.add_command(mcp_command)


_add_service_commands()
