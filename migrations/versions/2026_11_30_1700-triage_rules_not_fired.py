"""triage decisions keep the rules that did not fire, each with why

Revision ID: 3f6d2b8c41a7
Revises: 8d4f6a2b1c07
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3f6d2b8c41a7"
down_revision: str | None = "8d4f6a2b1c07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("triage_decision", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rules_not_fired", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("triage_decision", schema=None) as batch_op:
        batch_op.drop_column("rules_not_fired")
