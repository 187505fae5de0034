"""Money received (执行款到账): recorded by the office, credited to its case or claimed from the
unclaimed list."""

from __future__ import annotations

from fastapi import APIRouter

from app.enums import ReceiptState
from app.errors import Conflict
from app.errors import Forbidden
from app.routing import Command
from app.routing import Desk
from app.routing import Filter
from app.schemas.common import RowId
from app.schemas.money import ReceiptClaim
from app.schemas.money import ReceiptCreate
from app.schemas.money import ReceiptRead
from app.services import receipts

router = APIRouter(tags=["case money"])

desk = Desk(router, ReceiptRead, receipts.RECEIPTS, "/receipts/{receipt_id}")

desk.routes(
    desk.create(
        "/receipts",
        "record_receipt",
        "money.receive",
        ReceiptCreate,
        receipts.record_receipt,
        "Record money received: into the case whose account it quotes, else unclaimed (the office).",
        problems=(Forbidden, Conflict),
    ),
    desk.listing(
        "/receipts",
        "list_receipts",
        "receipt.read",
        "Receipts, newest first; `state=unclaimed` is the list waiting to be claimed.",
        filters=[Filter("state", ReceiptState | None), Filter("case_id", RowId | None)],
    ),
    desk.show("get_receipt", "receipt.read", "One receipt."),
)

desk.commands(
    Command(
        "/receipts/{receipt_id}/claim",
        "claim_receipt",
        "claim",
        ReceiptClaim,
        receipts.claim_receipt,
        "Claim an unclaimed receipt to the case whose account reference it belongs to (the office).",
    ),
)
