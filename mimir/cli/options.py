"""What every ``mimir`` command shares: where its settings come from, and the data dir checks."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from shared.config import ConfigError, Settings, load_settings

# Read when no --config and no MIMIR_CONFIG is given, so that a copied config.example.yaml just works.
DEFAULT_CONFIG_FILE = Path("config.yaml")

CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="config.yaml to read (default: MIMIR_CONFIG, else ./config.yaml when there is one).",
)
DATA_DIR_OPTION = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Data directory (default: persistence.data_dir, ./mimir-data).",
)


def config_file_to_read(config_file: Path | None) -> Path | None:
    """``--config``, else MIMIR_CONFIG (read by the settings loader itself), else ./config.yaml if present."""
    if config_file is not None or os.environ.get("MIMIR_CONFIG"):
        return config_file
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def settings_from_options(config_file: Path | None, **overrides: Any) -> Settings:
    """The settings of this command: the config file, the environment, then the options given."""
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    try:
        return load_settings(config_file_to_read(config_file), environ=None, **given)
    except ConfigError as exc:
        raise click.ClickException(exc.message) from exc


def require_existing_database(settings: Settings) -> None:
    """Refuse, naming the path, when the SQLite database of ``settings`` does not exist: a command that
    only reads would otherwise create an empty one wherever it was run and report nothing."""
    path = settings.sqlite_path
    if path is None or path.exists():
        return
    where = (
        f"the data dir {settings.data_dir.resolve()} does not exist"
        if not settings.data_dir.exists()
        else f"there is no database at {path}"
    )
    raise click.ClickException(
        f"{where}. Run this command where you ran `mimir up`, or name the data dir "
        "(--data-dir, persistence.data_dir in --config, or MIMIR_PERSISTENCE_DATA_DIR)."
    )
