"""zalo chat: chat users linked to the phone they shared with the Official Account

Revision ID: 0007_zalo_chat
Revises: 0006_zalo_alerts
Create Date: 2026-11-23 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import lookup.store.schema

revision = '0007_zalo_chat'
down_revision = '0006_zalo_alerts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('chat_users',
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('linked_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('updated_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'user_id', name=op.f('pk_chat_users'))
    )
    with op.batch_alter_table('chat_users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chat_users_phone'), ['phone'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('chat_users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chat_users_phone'))
    op.drop_table('chat_users')
