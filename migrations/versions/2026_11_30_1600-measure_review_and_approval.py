"""measure review and approval: the director's review and the president's approval

Revision ID: 5e2a8c41d9f6
Revises: 3b9d51c0e7a4
Create Date: 2026-11-30 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5e2a8c41d9f6"
down_revision: str | None = "3b9d51c0e7a4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measure") as batch_op:
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("approved_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_measure_reviewed_by_id_user"), "user", ["reviewed_by_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_measure_approved_by_id_user"), "user", ["approved_by_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("measure") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_measure_approved_by_id_user"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_measure_reviewed_by_id_user"), type_="foreignkey")
        batch_op.drop_column("approved_on")
        batch_op.drop_column("approved_by_id")
        batch_op.drop_column("reviewed_on")
        batch_op.drop_column("reviewed_by_id")
