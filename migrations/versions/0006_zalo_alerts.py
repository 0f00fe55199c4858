"""zalo alerts: the channel that carried each alert and why it fell back; provider OAuth tokens

Revision ID: 0006_zalo_alerts
Revises: 0005_safe_service
Create Date: 2026-11-23 09:00:00
"""

import sqlalchemy as sa
from alembic import op

import lookup.store.schema

revision = '0006_zalo_alerts'
down_revision = '0005_safe_service'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        # Every alert written before Zalo existed went by SMS.
        batch_op.add_column(sa.Column('channel', sa.String(length=8), nullable=False, server_default='sms'))
        batch_op.add_column(sa.Column('fallback_reason', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('template_data', sa.Text(), nullable=True))
    op.create_table('provider_tokens',
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('account', sa.String(length=64), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('expires_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('seed_hash', sa.String(length=64), nullable=False),
    sa.Column('refreshing_until', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('refreshed_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('refreshes', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('updated_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('provider', 'account', name=op.f('pk_provider_tokens'))
    )


def downgrade() -> None:
    op.drop_table('provider_tokens')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('template_data')
        batch_op.drop_column('fallback_reason')
        batch_op.drop_column('channel')
