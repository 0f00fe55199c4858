"""extra recipients: one more phone per dossier for its alerts, and alert rows per recipient

Revision ID: 0009_extra_recipients
Revises: 0008_expected_completion
Create Date: 2026-12-01 08:00:00
"""

import sqlalchemy as sa
from alembic import op

from lookup.store.schema import Timestamp

revision = '0009_extra_recipients'
down_revision = '0008_expected_completion'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'extra_recipients',
        sa.Column('dossier_id', sa.Integer(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('code_expires_at', Timestamp(), nullable=True),
        sa.Column('tries', sa.Integer(), nullable=False),
        sa.Column('confirmed_at', Timestamp(), nullable=True),
        sa.Column('sends', sa.Integer(), nullable=False),
        sa.Column('sends_since', Timestamp(), nullable=True),
        sa.Column('created_at', Timestamp(), nullable=False),
        sa.Column('updated_at', Timestamp(), nullable=False),
        sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'],
                                name=op.f('fk_extra_recipients_dossier_id_dossiers'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_extra_recipients')),
    )
    with op.batch_alter_table('extra_recipients', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_extra_recipients_phone'), ['phone'], unique=False)
    # Every existing row went to the applicant's phone: unique per recipient is unique as before.
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notifications_dossier_cause_kind', type_='unique')
        batch_op.create_unique_constraint('uq_notifications_dossier_cause_kind_phone',
                                          ['dossier_id', 'cause', 'kind', 'to_phone'])


def downgrade() -> None:
    # Extra recipients' alert rows go with them: one row per (dossier, cause, kind) again.
    op.execute("DELETE FROM notifications WHERE id NOT IN (SELECT MIN(id) FROM notifications "
               "GROUP BY dossier_id, cause, kind)")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_notifications_dossier_cause_kind_phone', type_='unique')
        batch_op.create_unique_constraint('uq_notifications_dossier_cause_kind',
                                          ['dossier_id', 'cause', 'kind'])
    with op.batch_alter_table('extra_recipients', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_extra_recipients_phone'))
    op.drop_table('extra_recipients')
