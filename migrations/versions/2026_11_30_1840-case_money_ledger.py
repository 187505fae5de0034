"""case money: one account per case, its ledger, receipts, payouts and payout deferrals;
ledger entries immutable on PostgreSQL

Revision ID: 7c3e9a1d5b42
Revises: 6b2f8d4e0c31
Create Date: 2026-11-30 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.models.base

revision: str = "7c3e9a1d5b42"
down_revision: str | None = "6b2f8d4e0c31"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("balance", app.models.base.Money(precision=18, scale=2), nullable=False),
        sa.Column("opened_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_case_account_balance_not_negative")),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_account_case_id_case"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_account")),
        sa.UniqueConstraint("case_id", name=op.f("uq_case_account_case_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_case_account_reference")),
    )
    op.create_table(
        "payout_deferral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reason_kind", sa.String(length=30), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        sa.Column("lifted_on", sa.Date(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_payout_deferral_case_id_case")),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_payout_deferral_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by_id"], ["user.id"], name=op.f("fk_payout_deferral_lifted_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["user.id"], name=op.f("fk_payout_deferral_requested_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout_deferral")),
    )
    with op.batch_alter_table("payout_deferral", schema=None) as batch_op:
        batch_op.create_index("ix_payout_deferral_case_id_id", ["case_id", "id"], unique=False)

    op.create_table(
        "payout",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("amount", app.models.base.Money(precision=18, scale=2), nullable=False),
        sa.Column("payee_party_id", sa.Integer(), nullable=True),
        sa.Column("payee_name", sa.String(length=200), nullable=False),
        sa.Column("payee_account", sa.String(length=64), nullable=True),
        sa.Column("payee_bank", sa.String(length=200), nullable=True),
        sa.Column("approver_role", sa.String(length=30), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("executed_by_id", sa.Integer(), nullable=True),
        sa.Column("executed_on", sa.Date(), nullable=True),
        sa.Column("bank_reference", sa.String(length=100), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_payout_case_id_case")),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"], name=op.f("fk_payout_decided_by_id_user")),
        sa.ForeignKeyConstraint(["executed_by_id"], ["user.id"], name=op.f("fk_payout_executed_by_id_user")),
        sa.ForeignKeyConstraint(
            ["payee_party_id"], ["party.id"], name=op.f("fk_payout_payee_party_id_party")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["user.id"], name=op.f("fk_payout_requested_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payout")),
    )
    with op.batch_alter_table("payout", schema=None) as batch_op:
        batch_op.create_index("ix_payout_case_id_id", ["case_id", "id"], unique=False)
        batch_op.create_index("ix_payout_state_id", ["state", "id"], unique=False)

    op.create_table(
        "receipt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("amount", app.models.base.Money(precision=18, scale=2), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("payer", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=30), nullable=False),
        sa.Column("bank_reference", sa.String(length=100), nullable=True),
        sa.Column("quoted_reference", sa.String(length=100), nullable=True),
        sa.Column("officers", sa.JSON(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("disposal_transfer_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by_id", sa.Integer(), nullable=True),
        sa.Column("claimed_on", sa.Date(), nullable=True),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_receipt_case_id_case")),
        sa.ForeignKeyConstraint(["claimed_by_id"], ["user.id"], name=op.f("fk_receipt_claimed_by_id_user")),
        sa.ForeignKeyConstraint(
            ["disposal_transfer_id"],
            ["disposal_transfer.id"],
            name=op.f("fk_receipt_disposal_transfer_id_disposal_transfer"),
        ),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["user.id"], name=op.f("fk_receipt_recorded_by_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt")),
        sa.UniqueConstraint("bank_reference", name=op.f("uq_receipt_bank_reference")),
        sa.UniqueConstraint("disposal_transfer_id", name=op.f("uq_receipt_disposal_transfer_id")),
    )
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.create_index("ix_receipt_case_id_id", ["case_id", "id"], unique=False)
        batch_op.create_index("ix_receipt_state_id", ["state", "id"], unique=False)

    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("amount", app.models.base.Money(precision=18, scale=2), nullable=False),
        sa.Column("entry_on", sa.Date(), nullable=False),
        sa.Column("receipt_id", sa.Integer(), nullable=True),
        sa.Column("payout_id", sa.Integer(), nullable=True),
        sa.Column("reverses_entry_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_ledger_entry_case_id_case"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["payout_id"], ["payout.id"], name=op.f("fk_ledger_entry_payout_id_payout")),
        sa.ForeignKeyConstraint(
            ["receipt_id"], ["receipt.id"], name=op.f("fk_ledger_entry_receipt_id_receipt")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_ledger_entry_recorded_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_entry_id"],
            ["ledger_entry.id"],
            name=op.f("fk_ledger_entry_reverses_entry_id_ledger_entry"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
        sa.UniqueConstraint("reverses_entry_id", name=op.f("uq_ledger_entry_reverses_entry_id")),
    )
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.create_index("ix_ledger_entry_case_id_id", ["case_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_payout_id"), ["payout_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ledger_entry_receipt_id"), ["receipt_id"], unique=False)

    if op.get_bind().dialect.name != "postgresql":
        return
    # SPC provisions on enforcement money (2017): a booked entry is corrected by a reversing entry,
    # never changed or removed.
    op.execute(
        """
        CREATE FUNCTION ledger_entry_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'ledger_entry is immutable: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER ledger_entry_immutable BEFORE UPDATE OR DELETE ON ledger_entry "
        "FOR EACH ROW EXECUTE FUNCTION ledger_entry_immutable()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ledger_entry_immutable ON ledger_entry")
        op.execute("DROP FUNCTION IF EXISTS ledger_entry_immutable()")
    with op.batch_alter_table("ledger_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ledger_entry_receipt_id"))
        batch_op.drop_index(batch_op.f("ix_ledger_entry_payout_id"))
        batch_op.drop_index("ix_ledger_entry_case_id_id")

    op.drop_table("ledger_entry")
    with op.batch_alter_table("receipt", schema=None) as batch_op:
        batch_op.drop_index("ix_receipt_state_id")
        batch_op.drop_index("ix_receipt_case_id_id")

    op.drop_table("receipt")
    with op.batch_alter_table("payout", schema=None) as batch_op:
        batch_op.drop_index("ix_payout_state_id")
        batch_op.drop_index("ix_payout_case_id_id")

    op.drop_table("payout")
    with op.batch_alter_table("payout_deferral", schema=None) as batch_op:
        batch_op.drop_index("ix_payout_deferral_case_id_id")

    op.drop_table("payout_deferral")
    op.drop_table("case_account")
