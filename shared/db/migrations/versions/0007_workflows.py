"""workflows: stored workflows and their revisions, per-run task state, and the parent link of jobs

Revision ID: 0007_workflows
Revises: 0006_twins
Create Date: 2026-12-02

Jobs get ``parent_job_id`` (the job a child wakes when it finishes) and ``wake_requested`` (false for
every existing job).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import shared.db.base

revision = '0007_workflows'
# The coordinator re-chains this onto the newest revision on main when merging (one line).
down_revision = '0006_twins'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workflows',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('task_count', sa.Integer(), nullable=False),
    sa.Column('source_yaml', sa.Text(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflows')),
    sa.UniqueConstraint('name', name=op.f('uq_workflows_name'))
    )
    op.create_table('workflow_revisions',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('workflow_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('source_yaml', sa.Text(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['workflow_id'], ['workflows.id'], name=op.f('fk_workflow_revisions_workflow_id_workflows'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workflow_revisions')),
    sa.UniqueConstraint('workflow_id', 'revision', name=op.f('uq_workflow_revisions_workflow_id'))
    )
    with op.batch_alter_table('workflow_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_revisions_workflow_id'), ['workflow_id'], unique=False)

    op.create_table('workflow_runs',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('workflow_id', sa.String(length=36), nullable=True),
    sa.Column('workflow_name', sa.String(length=200), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('definition', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('resumed_from', sa.String(length=36), nullable=True),
    sa.Column('fanout', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('created_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_workflow_runs_job_id_jobs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_workflow_runs'))
    )
    with op.batch_alter_table('workflow_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_runs_workflow_id'), ['workflow_id'], unique=False)

    op.create_table('workflow_task_runs',
    sa.Column('job_id', sa.String(length=36), nullable=False),
    sa.Column('task_id', sa.String(length=100), nullable=False),
    sa.Column('item_index', sa.Integer(), nullable=False),
    sa.Column('item', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('child_job_id', sa.String(length=36), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('not_before', shared.db.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', shared.db.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['workflow_runs.job_id'], name=op.f('fk_workflow_task_runs_job_id_workflow_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('job_id', 'task_id', 'item_index', name=op.f('pk_workflow_task_runs'))
    )
    with op.batch_alter_table('workflow_task_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_task_runs_child_job_id'), ['child_job_id'], unique=False)

    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('parent_job_id', sa.String(length=36), nullable=True))
        batch_op.add_column(
            sa.Column('wake_requested', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_index('ix_jobs_parent_job_id', ['parent_job_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_parent_job_id')
        batch_op.drop_column('wake_requested')
        batch_op.drop_column('parent_job_id')

    with op.batch_alter_table('workflow_task_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_task_runs_child_job_id'))

    op.drop_table('workflow_task_runs')
    with op.batch_alter_table('workflow_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_runs_workflow_id'))

    op.drop_table('workflow_runs')
    with op.batch_alter_table('workflow_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_revisions_workflow_id'))

    op.drop_table('workflow_revisions')
    op.drop_table('workflows')
