"""job kinds: jobs get ``kind`` and a kind-specific ``spec``; schedules target any schedulable kind

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

Existing jobs become kind ``pipeline`` with their definition moved into ``spec`` (``{"definition": ...}``);
existing schedules target kind ``pipeline``. A schedule of another kind has no pipeline, so
``schedules.pipeline_id`` becomes nullable.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _wrap_definition_sql() -> str:
    """SQL that builds ``{"definition": <definition>}`` from the old column, in this dialect."""
    if op.get_bind().dialect.name == "postgresql":
        return "jsonb_build_object('definition', definition)"
    return "json_object('definition', json(definition))"


def _unwrap_definition_sql() -> str:
    if op.get_bind().dialect.name == "postgresql":
        return "COALESCE(spec -> 'definition', '{}'::jsonb)"
    return "COALESCE(json_extract(spec, '$.definition'), '{}')"


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("type", new_column_name="kind", existing_type=sa.String(length=32))
        batch_op.add_column(sa.Column("spec", _JSON, nullable=True))
    op.execute(f"UPDATE jobs SET spec = {_wrap_definition_sql()}")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("spec", existing_type=_JSON, nullable=False)
        batch_op.drop_column("definition")
        batch_op.create_index("ix_jobs_kind_created", ["kind", "created_at"], unique=False)

    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("target_kind", sa.String(length=32), nullable=False, server_default="pipeline")
        )
        batch_op.add_column(sa.Column("target_spec", _JSON, nullable=True))
        batch_op.alter_column("pipeline_id", existing_type=sa.String(length=36), nullable=True)
    op.execute("UPDATE schedules SET target_spec = '{}'")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.alter_column("target_spec", existing_type=_JSON, nullable=False)


def downgrade() -> None:
    # Schedules and jobs of other kinds cannot be expressed in the old schema: they are removed.
    op.execute("DELETE FROM schedules WHERE target_kind <> 'pipeline'")
    with op.batch_alter_table("schedules", schema=None) as batch_op:
        batch_op.alter_column("pipeline_id", existing_type=sa.String(length=36), nullable=False)
        batch_op.drop_column("target_spec")
        batch_op.drop_column("target_kind")

    op.execute("DELETE FROM jobs WHERE kind <> 'pipeline'")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_kind_created")
        batch_op.add_column(sa.Column("definition", _JSON, nullable=True))
    op.execute(f"UPDATE jobs SET definition = {_unwrap_definition_sql()}")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.alter_column("definition", existing_type=_JSON, nullable=False)
        batch_op.drop_column("spec")
        batch_op.alter_column("kind", new_column_name="type", existing_type=sa.String(length=32))
