"""agency mergers: an office merged into another (the 2025 reform) says which

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 05:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(op.f('fk_agencies_merged_into_agencies'), 'agencies',
                                    ['merged_into'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_agencies_merged_into_agencies'), type_='foreignkey')
        batch_op.drop_column('merged_into')
