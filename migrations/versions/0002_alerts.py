"""alerts: per-agency alert switches, possible duplicates, indexes for the daily scan

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 02:45:00
"""

import sqlalchemy as sa
from alembic import op

import lookup.store.schema

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('alert_switches',
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                            name=op.f('fk_alert_switches_agency_id_agencies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('agency_id', 'kind', name=op.f('pk_alert_switches'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('possible_duplicates', sa.Integer(), nullable=False,
                                      server_default='0'))
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dossiers_due_at', ['due_at'], unique=False)
        batch_op.create_index('ix_dossiers_status_status_at', ['status', 'status_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_status_status_at')
        batch_op.drop_index('ix_dossiers_due_at')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('possible_duplicates')
    op.drop_table('alert_switches')
