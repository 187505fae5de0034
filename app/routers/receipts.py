"""Money received (执行款到账): recorded by the office, credited to its case or claimed from the
unclaimed list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import Authorized, Cursor, IdempotencyKeyHeader, SessionDep, create_once, with_etag
from app.enums import ReceiptState
from app.errors import Conflict, Forbidden, NotFound, problem_responses
from app.models.user import User
from app.routing import Command, add_commands, record_reader
from app.schemas.common import Limit, Page, RowId
from app.schemas.money import ReceiptClaim, ReceiptCreate, ReceiptRead
from app.services import receipts
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["case money"])


_read = record_reader(ReceiptRead, receipts.RECEIPTS)


@router.post(
    "/receipts",
    operation_id="record_receipt",
    status_code=201,
    response_model=ReceiptRead,
    responses=problem_responses(Forbidden, Conflict, IdempotencyKeyReused),
)
def record_receipt(
    body: ReceiptCreate,
    session: SessionDep,
    user: Annotated[User, Authorized("money.receive")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record money received: into the case whose account it quotes, else unclaimed (the office)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation="record_receipt",
        payload=body,
        create=lambda: _read(
            receipts.record_receipt(session, user=user, **body.model_dump()),
            user,
        ),
        location=lambda created: f"/api/v1/receipts/{created['id']}",
    )


@router.get(
    "/receipts",
    operation_id="list_receipts",
    response_model=Page[ReceiptRead],
    responses=problem_responses(Forbidden),
)
def list_receipts(
    session: SessionDep,
    user: Annotated[User, Authorized("receipt.read")],
    state: ReceiptState | None = None,
    case_id: RowId | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ReceiptRead]:
    """Receipts, newest first; `state=unclaimed` is the list waiting to be claimed."""
    rows, next_cursor = receipts.list_receipts(
        session, user=user, state=state, case_id=case_id, limit=limit, cursor=cursor
    )
    return Page[ReceiptRead](items=[_read(r, user) for r in rows], next_cursor=next_cursor)


@router.get(
    "/receipts/{receipt_id}",
    operation_id="get_receipt",
    response_model=ReceiptRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_receipt(
    receipt_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("receipt.read")],
    response: Response,
) -> ReceiptRead:
    """One receipt."""
    return with_etag(response, _read(receipts.get_receipt(session, receipt_id=receipt_id, user=user), user))


add_commands(
    router,
    workflow=receipts.RECEIPTS,
    id_name="receipt_id",
    response_model=ReceiptRead,
    read=_read,
    commands=[
        Command(
            "/receipts/{receipt_id}/claim",
            "claim_receipt",
            "claim",
            ReceiptClaim,
            receipts.claim_receipt,
            "Claim an unclaimed receipt to the case whose account reference it belongs to (the office).",
        ),
    ],
)
