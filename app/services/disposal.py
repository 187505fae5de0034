"""Centralised disposal (财产集约处置, plan §5(3)–(4), plan §5).

The handling judge signs and serves the disposal (auction) document, then asks for the transfer; a
deputy director approves it and the case is ``at_disposal``; the property-disposal group seals,
seizes, appraises, auctions …, and returns the case to the team it came from with the amount realised.
The case keeps its team and judge throughout, so the team still sees it but cannot close it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import CaseState
from app.enums import Decision
from app.enums import DisposalTaskKind
from app.enums import DisposalTransferState
from app.enums import MeasureKind
from app.errors import Conflict
from app.errors import GateNotMet
from app.models.case import Case
from app.models.disposal_task import DisposalTask
from app.models.disposal_transfer import DisposalTransfer
from app.models.measure import Measure
from app.models.user import User
from app.policy import TEAM_UNITS
from app.services import audit
from app.services import receipts
from app.services.assets import check_asset_of_case
from app.services.case_access import case_for_action
from app.services.case_access import case_step
from app.services.objections import suit_window_holding
from app.services.workflow import Change
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import check_legal_date
from app.services.workflow import fields_of
from app.services.workflow import legal_date_or_today
from app.services.workflow import record_decision

S = DisposalTransferState
# Which commands each transfer state admits.
TRANSFER_ACTIONS: dict[DisposalTransferState, tuple[str, ...]] = {
    S.requested: ("decide",),
    S.approved: ("record_task", "return"),
    S.refused: (),
    S.returned: (),
    S.withdrawn: (),
}
OPEN_STATES = (S.requested, S.approved)


# Each action is also a command on the case: a deputy director approves (plan §5(3)), the disposal
# group works and returns the case (plan §5(4)), and the case's state must admit it.
STEPS: dict[str, Step[DisposalTransfer]] = {
    "decide": case_step("approve_disposal"),
    "record_task": case_step("disposal_task"),
    "return": case_step("disposal_return"),
}


def _visible(stmt: Select[Any], user: User) -> Select[Any]:
    # The disposal group and leadership see every transfer; a team sees the ones it sent.
    if user.unit_code not in TEAM_UNITS:
        return stmt
    return stmt.where(DisposalTransfer.origin_unit_code == user.unit_code)


TRANSFERS = Workflow(
    model=DisposalTransfer,
    entity="disposal_transfer",
    state_actions=TRANSFER_ACTIONS,
    steps=STEPS,
    visible=_visible,
    children=(DisposalTransfer.tasks,),
    case=DisposalTransfer.case,
    locks_case=True,
    action_prefix="disposal",
    id_name="transfer_id",
    withdrawn=S.withdrawn,
    filters={"state": DisposalTransfer.state, "case_id": DisposalTransfer.case_id},
)


def _usable_disposal_document(
    session: Session, *, case: Case, judge: User, requested_on: date
) -> Measure | None:
    # Plan §5(3): the judge who asks for the transfer signed the disposal document and it was served.
    # A document already carried by an approved transfer is spent; a refused request leaves it usable.
    spent = select(DisposalTransfer.disposal_document_id).where(
        DisposalTransfer.case_id == case.id, DisposalTransfer.state.in_([S.approved, S.returned])
    )
    return session.execute(
        select(Measure)
        .where(
            Measure.case_id == case.id,
            Measure.kind == MeasureKind.disposal_document,
            Measure.signed_by_id == judge.id,
            Measure.taken_on <= requested_on,
            Measure.id.not_in(spent),
        )
        .order_by(Measure.taken_on.desc(), Measure.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def _check_asset_may_be_disposed_of(session: Session, case: Case, asset_id: int) -> None:
    check_asset_of_case(session, case, asset_id)
    held = suit_window_holding(session, case_id=case.id, asset_id=asset_id)
    if held is not None:
        # CPL (2023) art. 238: after an outsider's objection is upheld the applicant may sue (D17).
        raise GateNotMet(
            f"asset {asset_id} is claimed by outsider objection {held.objection_id}, which was upheld; the "
            f"applicant may sue until {held.due_on}, and the asset may not be disposed of before then",
            missing=["outsider_suit_window_over"],
            objection_id=held.objection_id,
        )


def request_transfer(
    session: Session,
    *,
    case_id: int,
    user: User,
    requested_on: date | None,
    notes: str | None,
    asset_id: int | None = None,
    expected_version: int | None = None,
) -> DisposalTransfer:
    """The handling judge asks for the case to go to the disposal group (state ``requested``)."""
    case = case_for_action(session, user, case_id, "request_disposal", expected_version)
    requested_on = legal_date_or_today(
        "requested_on", requested_on, not_before=case.filed_on, not_before_what="the filing date"
    )
    if asset_id is not None:
        _check_asset_may_be_disposed_of(session, case, asset_id)
    pending = session.execute(
        select(DisposalTransfer).where(
            DisposalTransfer.case_id == case.id, DisposalTransfer.state.in_(OPEN_STATES)
        )
    ).scalar_one_or_none()
    if pending is not None:
        raise Conflict(
            f"disposal transfer {pending.id} of case {case.case_number} is {pending.state}",
            transfer_id=pending.id,
        )
    document = _usable_disposal_document(session, case=case, judge=user, requested_on=requested_on)
    if document is None:
        raise GateNotMet(
            f"no disposal document signed by {user.username} has been served on case "
            f"{case.case_number}; record it as a disposal_document measure first",
            missing=["disposal_document"],
        )
    transfer = DisposalTransfer(
        case_id=case.id,
        state=S.requested,
        origin_unit_code=case.unit_code,
        origin_handler_id=case.handler_id,
        disposal_document_id=document.id,
        requested_by_id=user.id,
        requested_on=requested_on,
        notes=notes,
        asset_id=asset_id,
    )
    session.add(transfer)
    session.flush()
    TRANSFERS.audit(
        session,
        user=user,
        record=transfer,
        action="request",
        after=fields_of(
            "state",
            "requested_on",
            "disposal_document_id",
            "asset_id",
            "origin_unit_code",
            "origin_handler_id",
        )(transfer),
        reason=notes,
    )
    return TRANSFERS.get(session, user=user, record_id=transfer.id)


@TRANSFERS.command("decide")
def decide_transfer(
    change: Change[DisposalTransfer], *, decision: Decision, decided_on: date | None, reason: str | None
) -> DisposalTransfer:
    """A deputy director approves (the case goes ``at_disposal``, D13 starts) or refuses with a reason."""
    session, user, transfer = change.session, change.user, change.record
    case = transfer.case  # locked with it (case first, always)
    before = {"state": transfer.state, "case_state": case.state}
    decided_on = record_decision(
        transfer, user=user, decided_on=decided_on, reason=reason, requested_on=transfer.requested_on
    )
    if decision == Decision.approve:
        # Plan §5(3): 经主管副局长批准 the disposal goes to the disposal group.
        transfer.state = S.approved
        case.state = CaseState.at_disposal
    else:
        transfer.state = S.refused
    session.flush()
    if decision == Decision.approve:
        TRANSFERS.clock(session, transfer, "disposal.approved", on=decided_on)
    TRANSFERS.audit(
        session,
        user=user,
        record=transfer,
        action=str(decision),
        before=before,
        after={"state": transfer.state, "case_state": case.state, "decided_on": decided_on},
        reason=reason,
    )
    return TRANSFERS.get(session, user=user, record_id=transfer.id)


def record_task(
    session: Session,
    *,
    transfer_id: int,
    user: User,
    kind: DisposalTaskKind,
    on: date,
    result: str,
    amount: Decimal | None,
    asset_id: int | None,
) -> DisposalTask:
    """The disposal group records one act on the transferred case."""
    transfer = TRANSFERS.for_action(session, user, transfer_id, "record_task", None)
    case = transfer.case  # locked with it (case first, always)
    check_legal_date("on", on, not_before=transfer.decided_on, not_before_what="the approval")
    if asset_id is not None:
        _check_asset_may_be_disposed_of(session, case, asset_id)
    task = DisposalTask(
        transfer_id=transfer.id,
        case_id=case.id,
        kind=kind,
        done_on=on,
        result=result,
        amount=amount,
        asset_id=asset_id,
        recorded_by_id=user.id,
    )
    return audit.record_created(
        session,
        user,
        task,
        "disposal.task",
        after={
            "transfer_id": transfer.id,
            "kind": kind,
            "on": on,
            "result": result,
            "amount": amount,
            "asset_id": asset_id,
        },
    )


@TRANSFERS.command("return")
def return_transfer(
    change: Change[DisposalTransfer],
    *,
    returned_on: date | None,
    amount_realised: Decimal,
    result: str | None,
) -> DisposalTransfer:
    """Send the case back to the team and judge it came from, with the amount realised (meets D13)."""
    session, user, transfer = change.session, change.user, change.record
    case = transfer.case  # locked with it (case first, always)
    returned_on = legal_date_or_today(
        "returned_on", returned_on, not_before=transfer.decided_on, not_before_what="the approval"
    )
    before = {
        "state": transfer.state,
        "case_state": case.state,
        "unit_code": case.unit_code,
        "handler_id": case.handler_id,
    }
    transfer.state = S.returned
    transfer.returned_by_id, transfer.returned_on = user.id, returned_on
    transfer.amount_realised, transfer.result = amount_realised, result
    # Plan §5(4): 卷宗材料退回至原移送执行实施庭 — the originating team and its judge.
    case.state = CaseState.in_progress
    case.unit_code, case.handler_id = transfer.origin_unit_code, transfer.origin_handler_id
    session.flush()
    TRANSFERS.clock(session, transfer, "disposal.returned", on=returned_on)
    if amount_realised > 0:
        # SPC provisions on enforcement money (2017), 一案一账号: proceeds go into the case's account.
        receipts.record_auction_proceeds(
            session,
            case=case,
            transfer_id=transfer.id,
            amount=amount_realised,
            received_on=returned_on,
            user=user,
        )
    TRANSFERS.audit(
        session,
        user=user,
        record=transfer,
        action="return",
        before=before,
        after={
            "state": transfer.state,
            "case_state": case.state,
            "unit_code": case.unit_code,
            "handler_id": case.handler_id,
            "returned_on": returned_on,
            "amount_realised": amount_realised,
        },
        reason=result,
    )
    return TRANSFERS.get(session, user=user, record_id=transfer.id)


def withdraw_pending(session: Session, *, case: Case, user: User, reason: str) -> list[int]:
    """Requests still awaiting a decision lapse when the case closes or changes hands."""
    pending = list(
        session.scalars(
            select(DisposalTransfer).where(
                DisposalTransfer.case_id == case.id, DisposalTransfer.state == S.requested
            )
        )
    )
    for transfer in pending:
        TRANSFERS.withdraw(session, user=user, record=transfer, reason=reason)
    session.flush()
    return [t.id for t in pending]
