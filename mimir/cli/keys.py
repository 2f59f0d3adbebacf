"""``mimir keys``: create, list and revoke API keys directly in the database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from mimir.cli.options import CONFIG_OPTION, DATA_DIR_OPTION, require_existing_database, settings_from_options
from shared.db.engine import Database
from shared.errors import MimirError
from shared.security.permissions import Role
from shared.services import build_services


@contextmanager
def _database(config_file: Path | None, data_dir: Path | None, *, must_exist: bool) -> Iterator[Database]:
    """The installation's database; with ``must_exist``, refuse (naming it) a data dir without one."""
    from shared.db.migrate import upgrade_to_head

    settings = settings_from_options(config_file, data_dir=data_dir)
    if must_exist:
        require_existing_database(settings)
    upgrade_to_head(settings.resolved_database_url)
    services = build_services(settings)
    try:
        yield services.db
    except MimirError as exc:
        raise click.ClickException(exc.message) from exc
    finally:
        services.close()


@click.group("keys")
def keys_group() -> None:
    """Manage API keys (stored as hashes; a key is shown once, when created)."""


@keys_group.command("create")
@CONFIG_OPTION
@DATA_DIR_OPTION
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", required=True, help="Who or what the key is for.")
def create_key(config_file: Path | None, data_dir: Path | None, role: str, name: str) -> None:
    """Create a key and print it once (creating the database if this is a new installation)."""
    from shared.security.keys import create_api_key

    with _database(config_file, data_dir, must_exist=False) as db:
        issued = create_api_key(db, name=name, role=role)
    click.echo(f"id:   {issued.record.id}\nrole: {issued.record.role}\nname: {issued.record.name}")
    click.echo(f"key:  {issued.secret}")
    click.echo("Keep the key now: it is stored only as a hash and cannot be shown again.", err=True)


@keys_group.command("list")
@CONFIG_OPTION
@DATA_DIR_OPTION
def list_keys(config_file: Path | None, data_dir: Path | None) -> None:
    """List keys (their ids, names, roles and prefixes; never the keys)."""
    from shared.security.keys import list_api_keys

    with _database(config_file, data_dir, must_exist=True) as db:
        for record in list_api_keys(db):
            state = f"revoked {record.revoked_at:%Y-%m-%d %H:%M}" if record.revoked_at else "active"
            click.echo(f"{record.id}  {record.role:<8}  {record.prefix}…  {state:<24}  {record.name}")


@keys_group.command("revoke")
@CONFIG_OPTION
@DATA_DIR_OPTION
@click.argument("key_id")
def revoke_key(config_file: Path | None, data_dir: Path | None, key_id: str) -> None:
    """Revoke a key by id (API processes stop accepting it within seconds)."""
    from shared.security.keys import revoke_api_key

    with _database(config_file, data_dir, must_exist=True) as db:
        revoke_api_key(db, key_id)
    click.echo(f"revoked {key_id}")
