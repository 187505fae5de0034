"""audit anchoring: the chain's head signed; audit entries append-only on PostgreSQL

Revision ID: 5d2b9e41c7a8
Revises: 4834607669f5
Create Date: 2026-11-30 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5d2b9e41c7a8"
down_revision: str | None = "4834607669f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The head is signed at the next change after the upgrade: the key is not the database's to hold.
# On PostgreSQL no role but the table's owner acting deliberately (dropping or disabling the trigger)
# can change or remove an audit entry; TRUNCATE, a privilege the service's role need not be granted,
# is not a row change and is not stopped here.


def upgrade() -> None:
    op.add_column("audit_head", sa.Column("head_mac", sa.String(length=64), nullable=True))
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON audit_entry")
        op.execute("DROP FUNCTION IF EXISTS audit_entry_append_only()")
    op.drop_column("audit_head", "head_mac")
