"""an outsider's objection names the asset it claims, and a disposal transfer the asset it disposes of

Revision ID: 6b2f8d4e0c31
Revises: 5a1e7c3d9b20
Create Date: 2026-11-30 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6b2f8d4e0c31"
down_revision: str | None = "5a1e7c3d9b20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("objection", "disposal_transfer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("asset_id", sa.Integer(), nullable=True))
            batch_op.create_foreign_key(f"fk_{table}_asset_id_asset", "asset", ["asset_id"], ["id"])


def downgrade() -> None:
    for table in ("objection", "disposal_transfer"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_asset_id_asset", type_="foreignkey")
            batch_op.drop_column("asset_id")
