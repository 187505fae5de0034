"""Centralised disposal: transfer requests, the deputy director's decision, tasks and the return."""

from __future__ import annotations

from fastapi import APIRouter

from app.enums import DisposalTransferState
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import GateNotMet
from app.errors import NotFound
from app.errors import PreconditionFailed
from app.errors import TransitionNotAllowed
from app.routing import API_PREFIX
from app.routing import Command
from app.routing import Create
from app.routing import Desk
from app.routing import Filter
from app.schemas.common import RowId
from app.schemas.disposal import DisposalDecisionCreate
from app.schemas.disposal import DisposalReturnCreate
from app.schemas.disposal import DisposalTaskCreate
from app.schemas.disposal import DisposalTaskRead
from app.schemas.disposal import DisposalTransferCreate
from app.schemas.disposal import DisposalTransferRead
from app.services import disposal
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["disposal"])

desk = Desk(router, DisposalTransferRead, disposal.TRANSFERS, "/disposal-transfers/{transfer_id}")

desk.routes(
    desk.create(
        "/cases/{case_id}/disposal-transfers",
        "request_disposal_transfer",
        COMMAND_POLICY["request_disposal"],
        DisposalTransferCreate,
        disposal.request_transfer,
        "Ask to send the case to the property-disposal group "
        "(the handling judge, once the ruling is served).",
        problems=(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed, GateNotMet, Conflict),
        versioned=True,
    ),
    Create(
        "/disposal-transfers/{transfer_id}/tasks",
        "record_disposal_task",
        disposal.TRANSFERS.permission("record_task"),
        DisposalTaskCreate,
        disposal.record_task,
        "Record a task done on a transferred case (the property-disposal group).",
        problems=(Forbidden, NotFound, TransitionNotAllowed),
        location=API_PREFIX + desk.path,
        schema=DisposalTaskRead,
    ),
    desk.listing(
        "/disposal-transfers",
        "list_disposal_transfers",
        "disposal.read",
        "Disposal transfers, newest first: all for the disposal group and leadership, its own for a team.",
        filters=[Filter("state", DisposalTransferState | None), Filter("case_id", RowId | None)],
    ),
    desk.show(
        "get_disposal_transfer",
        "disposal.read",
        "One disposal transfer with its tasks.",
    ),
)

desk.commands(
    Command(
        "/disposal-transfers/{transfer_id}/approval",
        "decide_disposal_transfer",
        "decide",
        DisposalDecisionCreate,
        disposal.decide_transfer,
        "Approve (the case goes to disposal) or refuse a transfer with a reason (deputy director).",
    ),
    Command(
        "/disposal-transfers/{transfer_id}/return",
        "return_disposal_transfer",
        "return",
        DisposalReturnCreate,
        disposal.return_transfer,
        "Return the case to the team it came from with the amount realised (the property-disposal group).",
    ),
)
