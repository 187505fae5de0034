"""roll-up triggers on PostgreSQL: one upsert per roll-up table and condition, under an IF

Revision ID: 6a1f3c8e2b47
Revises: 5c2e9a7d13f4
Create Date: 2026-12-01 00:10:00
"""

from collections.abc import Sequence

from alembic import op

from app.models.rollup import drop_trigger_statements, trigger_statements

revision: str = "6a1f3c8e2b47"
down_revision: str | None = "5c2e9a7d13f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The counters stay as they are: the same deltas, written by fewer statements.
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in [*drop_trigger_statements(dialect), *trigger_statements(dialect)]:
            op.execute(statement)


def downgrade() -> None:
    """The triggers as this revision leaves them serve the earlier revision as well."""
