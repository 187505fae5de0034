"""asset renewal and release: a freeze or seal renewed (续冻/续封) or released (解除), D12

Revision ID: dd13c23a7b3f
Revises: 23f6a7246de7
Create Date: 2026-11-30 15:23:14.534436
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base


revision: str = 'dd13c23a7b3f'
down_revision: str | None = '23f6a7246de7'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('asset_control_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('asset_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('taken_on', sa.Date(), nullable=False),
    sa.Column('document_number', sa.String(length=100), nullable=False),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['asset_id'], ['asset.id'], name=op.f('fk_asset_control_step_asset_id_asset'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_asset_control_step_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_asset_control_step_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset_control_step'))
    )
    with op.batch_alter_table('asset_control_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_control_step_asset_id'), ['asset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_control_step_case_id'), ['case_id'], unique=False)

    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('released_on', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_column('released_on')
        batch_op.drop_column('expires_on')

    with op.batch_alter_table('asset_control_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_control_step_case_id'))
        batch_op.drop_index(batch_op.f('ix_asset_control_step_asset_id'))

    op.drop_table('asset_control_step')
