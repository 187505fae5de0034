"""search indexes: trigram indexes for ?q= on PostgreSQL

Revision ID: 7c1e2f0a9b3d
Revises: 77222db72bfd
Create Date: 2026-11-25 18:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "7c1e2f0a9b3d"
down_revision: str | None = "77222db72bfd"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# GET /cases?q= searches inside case numbers and party names (LIKE '%…%'); a B-tree cannot serve
# that, a trigram GIN index can. PostgreSQL only (SQLite scans). Kept out of the models, and so out
# of autogenerate, by the include_object filter in migrations/env.py.


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute('CREATE INDEX IF NOT EXISTS ix_case_case_number_trgm ON "case" USING gin (case_number gin_trgm_ops)')
    op.execute("CREATE INDEX IF NOT EXISTS ix_party_name_trgm ON party USING gin (name gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_party_name_trgm")
    op.execute("DROP INDEX IF EXISTS ix_case_case_number_trgm")
