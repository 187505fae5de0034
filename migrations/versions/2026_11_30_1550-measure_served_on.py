"""measure served on: the day the party received a document (the jurisdiction-objection window)

Revision ID: 3b9d51c0e7a4
Revises: 5d2b9e41c7a8
Create Date: 2026-11-30 15:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3b9d51c0e7a4"
down_revision: str | None = "5d2b9e41c7a8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measure") as batch_op:
        batch_op.add_column(sa.Column("served_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("measure") as batch_op:
        batch_op.drop_column("served_on")
