"""Alembic environment: one schema for SQLite and PostgreSQL; concurrent upgrades are serialised."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from shared.db.base import Base
from shared.db.engine import make_engine
from shared.slices import load_platform

MIGRATION_LOCK_ID = 7_261_550_001


def run_migrations_online() -> None:
    load_platform().import_models()  # each installed slice names the modules of its tables
    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "sqlalchemy.url must be set"
    engine = make_engine(url)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            # Several processes may start at once; only one may create the schema.
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": MIGRATION_LOCK_ID})
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                render_as_batch=connection.dialect.name == "sqlite",
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MIGRATION_LOCK_ID})
                connection.commit()
    engine.dispose()


run_migrations_online()
