"""Running the Alembic migrations from code (``mimir up``, ``mimir api`` and the tests call this)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from shared.db.engine import normalise_database_url


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``database_url``."""
    config = Config()
    config.set_main_option("script_location", "shared.db:migrations")
    config.set_main_option("sqlalchemy.url", normalise_database_url(database_url).replace("%", "%%"))
    return config


def upgrade_to_head(database_url: str) -> None:
    """Bring the schema at ``database_url`` to the newest revision (safe to call from several processes)."""
    command.upgrade(alembic_config(database_url), "head")
