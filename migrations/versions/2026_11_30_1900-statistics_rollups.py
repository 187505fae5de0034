"""statistics roll-ups kept by triggers, backfilled from the rows; a judge's open cases by filing date

Revision ID: 5c2e9a7d13f4
Revises: 5b2e9c7d1f30
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.rollup import drop_trigger_statements, rebuild_statements, trigger_statements

revision: str = "5c2e9a7d13f4"
down_revision: str | None = "5b2e9c7d1f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _month_key(name: str) -> sa.Column[str]:
    return sa.Column(name, sa.String(length=7), nullable=False)


def _filing_keys() -> tuple[sa.Column[str], sa.Column[str]]:
    return (
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("filed_period", sa.String(length=10), nullable=False),
    )


def _unit_key() -> sa.Column[str]:
    return sa.Column("unit_code", sa.String(length=32), nullable=False)


def _count() -> sa.Column[int]:
    return sa.Column("n", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "case_tally",
        *_filing_keys(),
        _unit_key(),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("track", sa.String(length=20), nullable=False),
        sa.Column("closure_mode", sa.String(length=30), nullable=False),
        _count(),
        sa.PrimaryKeyConstraint(
            "grain", "filed_period", "unit_code", "state", "track", "closure_mode", name=op.f("pk_case_tally")
        ),
    )
    op.create_table(
        "closing_tally",
        _month_key("closed_month"),
        _unit_key(),
        sa.Column("closure_mode", sa.String(length=30), nullable=False),
        _count(),
        sa.PrimaryKeyConstraint("closed_month", "unit_code", "closure_mode", name=op.f("pk_closing_tally")),
    )
    op.create_table(
        "duration_tally",
        sa.Column("measure", sa.String(length=16), nullable=False),
        *_filing_keys(),
        _unit_key(),
        sa.Column("days", sa.Integer(), nullable=False),
        _count(),
        sa.PrimaryKeyConstraint(
            "measure", "grain", "filed_period", "unit_code", "days", name=op.f("pk_duration_tally")
        ),
    )
    op.create_table(
        "deadline_tally",
        *_filing_keys(),
        _unit_key(),
        sa.Column("rule", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("met_late", sa.Boolean(), nullable=False),
        _count(),
        sa.PrimaryKeyConstraint(
            "grain", "filed_period", "unit_code", "rule", "status", "met_late", name=op.f("pk_deadline_tally")
        ),
    )
    op.create_table(
        "judge_tally",
        sa.Column("handler_id", sa.Integer(), nullable=False),
        _count(),
        sa.PrimaryKeyConstraint("handler_id", name=op.f("pk_judge_tally")),
    )
    open_only = sa.text("state <> 'closed'")
    op.create_index(
        "ix_case_handler_id_filed_on_id_open",
        "case",
        ["handler_id", "filed_on", "id"],
        postgresql_where=open_only,
        sqlite_where=open_only,
    )
    dialect = op.get_bind().dialect.name
    for statement in [*trigger_statements(dialect), *rebuild_statements(dialect)]:
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_trigger_statements(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_case_handler_id_filed_on_id_open", table_name="case")
    for table in ("judge_tally", "deadline_tally", "duration_tally", "closing_tally", "case_tally"):
        op.drop_table(table)
