"""parties name the identity document their number is taken from, and a passport's issuing country

Revision ID: 5a1e7c3d9b20
Revises: 3f6d2b8c41a7
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a1e7c3d9b20"
down_revision: str | None = "3f6d2b8c41a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.add_column(sa.Column("id_kind", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("id_issuing_country", sa.String(length=3), nullable=True))
    # Numbers filed before were checked as resident IDs (natural persons) or credit codes (others).
    op.execute(
        "UPDATE party SET id_kind = CASE WHEN party_type = 'natural_person' THEN 'resident_id' ELSE 'uscc' END "
        "WHERE id_number IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("party", schema=None) as batch_op:
        batch_op.drop_column("id_issuing_country")
        batch_op.drop_column("id_kind")
