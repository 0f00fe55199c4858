"""expected completion: p50/p90 working days and on-time share per office and procedure

Revision ID: 0008_expected_completion
Revises: 0007_zalo_chat
Create Date: 2026-12-01 06:30:00
"""

import sqlalchemy as sa
from alembic import op

from lookup.store.schema import Timestamp

revision = '0008_expected_completion'
down_revision = '0007_zalo_chat'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'expected_times',
        sa.Column('office_id', sa.String(length=64), nullable=False),
        sa.Column('procedure', sa.Text(), nullable=False),
        sa.Column('samples', sa.Integer(), nullable=False),
        sa.Column('p50_working_days', sa.Integer(), nullable=False),
        sa.Column('p90_working_days', sa.Integer(), nullable=False),
        sa.Column('on_time_share', sa.Float(), nullable=False),
        sa.Column('computed_at', Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint('office_id', 'procedure', name=op.f('pk_expected_times')),
    )


def downgrade() -> None:
    op.drop_table('expected_times')
