"""A case's account and ledger (一案一账号), and the reversal of a booked entry."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import Authorized
from app.deps import IdempotencyKeyHeader
from app.deps import SessionDep
from app.deps import create_once
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import InsufficientFunds
from app.errors import NotFound
from app.errors import problem_responses
from app.models.case_account import LedgerEntry
from app.models.user import User
from app.routing import API_PREFIX
from app.routing import Show
from app.routing import add_routes
from app.rules.money import ZERO
from app.schemas.common import RowId
from app.schemas.common import read_of
from app.schemas.money import LedgerEntryRead
from app.schemas.money import LedgerRead
from app.schemas.money import ReversalCreate
from app.services import ledger
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["case money"])


def _entry_read(entry: LedgerEntry, *, balance_after: Decimal, reversed_by: int | None) -> LedgerEntryRead:
    return read_of(LedgerEntryRead, entry, balance_after=balance_after, reversed_by_entry_id=reversed_by)


def _read(view: ledger.Ledger) -> LedgerRead:
    case, money = view.case, view.figures
    running = ZERO
    lines = []
    for entry in view.entries:
        running += entry.amount
        lines.append(_entry_read(entry, balance_after=running, reversed_by=view.reversed_by.get(entry.id)))
    outstanding = None if case.claim_amount is None else max(case.claim_amount - case.paid_amount, ZERO)
    # plan §5: realised enough → close as performed; the fee is taken before the applicant is paid.
    offered = outstanding == ZERO and money.fee_paid >= money.fee_due
    return read_of(
        LedgerRead,
        money,
        case,
        case_id=case.id,
        account_reference=view.reference,
        outstanding_claim=outstanding,
        closing_as_performed_offered=offered,
        entries=lines,
    )


add_routes(
    router,
    routes=[
        Show(
            "/cases/{case_id}/ledger",
            "get_case_ledger",
            "money.read",
            ledger.read_ledger,
            "The case's account reference, every ledger entry, the balance and the figures.",
            schema=LedgerRead,
            read=lambda view, _user: _read(view),
        ),
    ],
)


@router.post(
    "/ledger-entries/{entry_id}/reversal",
    operation_id="reverse_ledger_entry",
    status_code=201,
    response_model=LedgerEntryRead,
    responses=problem_responses(Forbidden, NotFound, Conflict, InsufficientFunds, IdempotencyKeyReused),
)
def reverse_entry(
    entry_id: RowId,
    body: ReversalCreate,
    session: SessionDep,
    user: Annotated[User, Authorized("money.reverse")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Correct a booked entry by a reversing entry that names it; each entry is reversed once (the office)."""

    def reverse() -> LedgerEntryRead:
        entry = ledger.reverse_entry(
            session, entry_id=entry_id, user=user, reason=body.reason, reversed_on=body.reversed_on
        )
        balance = ledger.balance_of(session, case_id=entry.case_id)
        return _entry_read(entry, balance_after=balance, reversed_by=None)

    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"reverse_ledger_entry:{entry_id}",
        payload=body,
        create=reverse,
        location=lambda created: f"{API_PREFIX}/cases/{created['case_id']}/ledger",
    )
