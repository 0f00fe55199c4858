"""working calendar: the year's announced swaps of working days

Revision ID: 0004_working_calendar
Revises: 0003
Create Date: 2026-11-23 09:00:00
"""

import sqlalchemy as sa
from alembic import op

from lookup.store.schema import Timestamp

revision = '0004_working_calendar'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'calendar_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('kind', sa.String(length=4), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('updated_at', Timestamp(), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days')),
    )


def downgrade() -> None:
    op.drop_table('calendar_days')
