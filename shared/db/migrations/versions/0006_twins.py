"""digital twins

Revision ID: 0006_twins
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shared.db.base

revision = "0006_twins"
# The coordinator re-chains this onto the newest revision on main when merging (one line).
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('twins',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('model_type', sa.String(length=200), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('entity_count', sa.Integer(), nullable=False),
    sa.Column('relationship_count', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.Column('created_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_twins'))
    )
    op.create_table('twin_revisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('twin_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['twin_id'], ['twins.id'], name=op.f('fk_twin_revisions_twin_id_twins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_twin_revisions')),
    sa.UniqueConstraint('twin_id', 'revision', name=op.f('uq_twin_revisions_twin_id'))
    )
    with op.batch_alter_table('twin_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_twin_revisions_twin_id'), ['twin_id'], unique=False)

    op.create_table('twin_runs',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('twin_id', sa.String(length=36), nullable=False),
    sa.Column('twin_revision', sa.Integer(), nullable=False),
    sa.Column('scenario_id', sa.String(length=36), nullable=True),
    sa.Column('scenario', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('job_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('duration', sa.Integer(), nullable=False),
    sa.Column('metrics', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('event_log', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('whatif', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('timeline', sa.LargeBinary(), nullable=False),
    sa.Column('timeline_bytes', sa.Integer(), nullable=False),
    sa.Column('simulation_seconds', sa.Float(), nullable=False),
    sa.Column('created_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['twin_id'], ['twins.id'], name=op.f('fk_twin_runs_twin_id_twins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_twin_runs'))
    )
    with op.batch_alter_table('twin_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_twin_runs_job_id'), ['job_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_twin_runs_twin_id'), ['twin_id'], unique=False)

    op.create_table('twin_scenarios',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('twin_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['twin_id'], ['twins.id'], name=op.f('fk_twin_scenarios_twin_id_twins'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_twin_scenarios'))
    )
    with op.batch_alter_table('twin_scenarios', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_twin_scenarios_twin_id'), ['twin_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('twin_scenarios', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_twin_scenarios_twin_id'))

    op.drop_table('twin_scenarios')
    with op.batch_alter_table('twin_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_twin_runs_twin_id'))
        batch_op.drop_index(batch_op.f('ix_twin_runs_job_id'))

    op.drop_table('twin_runs')
    with op.batch_alter_table('twin_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_twin_revisions_twin_id'))

    op.drop_table('twin_revisions')
    op.drop_table('twins')
