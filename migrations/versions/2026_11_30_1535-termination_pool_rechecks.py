"""termination pool rechecks: each re-check of a 终本 pool case with its date, method and result (D14)

Revision ID: 4834607669f5
Revises: dd13c23a7b3f
Create Date: 2026-11-30 15:35:00.851298
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = '4834607669f5'
down_revision: str | None = 'dd13c23a7b3f'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('termination_pool_recheck',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('checked_on', sa.Date(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('clue_pending', sa.Boolean(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', app.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['case.id'], name=op.f('fk_termination_pool_recheck_case_id_case'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_termination_pool_recheck_recorded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_termination_pool_recheck'))
    )
    with op.batch_alter_table('termination_pool_recheck', schema=None) as batch_op:
        batch_op.create_index('ix_termination_pool_recheck_case_id_checked_on', ['case_id', 'checked_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('termination_pool_recheck', schema=None) as batch_op:
        batch_op.drop_index('ix_termination_pool_recheck_case_id_checked_on')

    op.drop_table('termination_pool_recheck')
