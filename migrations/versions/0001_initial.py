"""dossiers, events, keys, phones, notifications

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 02:23:07.357033
"""

import sqlalchemy as sa
from alembic import op

import lookup.store.schema

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name_vi', sa.Text(), nullable=False),
    sa.Column('name_en', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('pickup_hours', sa.Text(), nullable=False),
    sa.Column('hotline', sa.String(length=32), nullable=False),
    sa.Column('updated_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies'))
    )
    op.create_table('phones',
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=True),
    sa.Column('opted_out', sa.Boolean(), nullable=False),
    sa.Column('updated_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('phone', name=op.f('pk_phones'))
    )
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('created_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.Column('revoked_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_api_keys_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_agency_id'), ['agency_id'], unique=False)

    op.create_table('dossiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('match_key', sa.String(length=64), nullable=False),
    sa.Column('keypad', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('procedure_name_vi', sa.Text(), nullable=False),
    sa.Column('procedure_name_en', sa.Text(), nullable=False),
    sa.Column('applicant_name', sa.Text(), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('pin', sa.String(length=12), nullable=False),
    sa.Column('received_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.Column('original_due_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('due_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('status_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('handling_office', sa.Text(), nullable=False),
    sa.Column('finished_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('updated_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dossiers_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('match_key', name=op.f('uq_dossiers_match_key'))
    )
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_applicant_phone'), ['applicant_phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_keypad'), ['keypad'], unique=False)
        batch_op.create_index('ix_dossiers_received_at', ['received_at'], unique=False)

    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('due_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('office', sa.Text(), nullable=False),
    sa.Column('recorded_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_events_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('dossier_id', 'status', 'at', name='uq_events_dossier_status_at')
    )
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('to_phone', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('provider_message_id', sa.String(length=64), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('created_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.Column('send_after', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('sending_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('sent_at', lookup.store.schema.Timestamp(timezone=True), nullable=True),
    sa.Column('updated_at', lookup.store.schema.Timestamp(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_notifications_dossier_id_dossiers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('dossier_id', 'cause', 'kind', name='uq_notifications_dossier_cause_kind')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_provider_message_id'), ['provider_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notifications_status'))
        batch_op.drop_index(batch_op.f('ix_notifications_provider_message_id'))

    op.drop_table('notifications')
    op.drop_table('events')
    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dossiers_received_at')
        batch_op.drop_index(batch_op.f('ix_dossiers_keypad'))
        batch_op.drop_index(batch_op.f('ix_dossiers_applicant_phone'))
        batch_op.drop_index(batch_op.f('ix_dossiers_agency_id'))

    op.drop_table('dossiers')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_agency_id'))

    op.drop_table('api_keys')
    op.drop_table('phones')
    op.drop_table('agencies')
