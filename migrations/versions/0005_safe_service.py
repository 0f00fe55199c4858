"""safe to put into service: demo dossiers, reissued receipts, per-dossier PIN lockout

Revision ID: 0005_safe_service
Revises: 0004_working_calendar
Create Date: 2026-12-01 06:00:00
"""

import sqlalchemy as sa
from alembic import op

from lookup.store.schema import Timestamp

revision = '0005_safe_service'
down_revision = '0004_working_calendar'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('receipt_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('pin_locked_until', Timestamp(), nullable=True))
    op.create_table(
        'pin_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('at', Timestamp(), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'],
                                name=op.f('fk_pin_failures_dossier_id_dossiers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pin_failures')),
    )
    op.create_index('ix_pin_failures_dossier_id_at', 'pin_failures', ['dossier_id', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_pin_failures_dossier_id_at', table_name='pin_failures')
    op.drop_table('pin_failures')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_column('pin_locked_until')
        batch_op.drop_column('receipt_version')
        batch_op.drop_column('demo')
