"""Enforcement petitions (涉执信访, plan §5(8), plan §3(1), §5(8)): the comprehensive group receives
and registers them (D9), routes each to the handling team, urges (催办) and supervises (督办) it;
the team replies; the comprehensive group closes it (报结, D10). A petitioner who comes back on
the same case is linked to the first petition.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from sqlalchemy import Select
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import PetitionChannel
from app.enums import PetitionState
from app.errors import InvalidInput
from app.models.case import Case
from app.models.petition import Petition
from app.models.petition import PetitionUrge
from app.models.user import User
from app.policy import TEAM_UNITS
from app.policy import Assignment
from app.policy import sees_all_cases
from app.services.case_access import can_see
from app.services.workflow import Change
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import check_legal_date
from app.services.workflow import fields_of
from app.services.workflow import legal_date_or_today

# plan §5(8): received → registered → routed (urged, supervised) → replied → resolved → closed.
STATE_ACTIONS: dict[PetitionState, tuple[str, ...]] = {
    PetitionState.received: ("register",),
    PetitionState.registered: ("route", "supervise"),
    PetitionState.routed: ("route", "urge", "supervise", "reply"),
    PetitionState.replied: ("resolve", "close", "supervise"),
    PetitionState.resolved: ("close", "supervise"),
    PetitionState.closed: (),
}


def _state_actions(petition: Petition) -> list[str]:
    actions = STATE_ACTIONS[petition.state]
    return [a for a in actions if not (a == "supervise" and petition.supervised)]  # escalated once


# The comprehensive group handles a petition; the team it was routed to replies (plan §5(8) with §3(1)).
_HANDLE = Step[Petition](permission="petition.handle")
STEPS: dict[str, Step[Petition]] = {
    "register": _HANDLE,
    "route": _HANDLE,
    "urge": _HANDLE,
    "supervise": _HANDLE,
    "reply": Step(permission="petition.reply", on=lambda petition: Assignment(petition.unit_code)),
    "resolve": _HANDLE,
    "close": _HANDLE,
}


def petitioner_key(name: str) -> str:
    """A name as compared for repeat petitions: width-folded, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _visible(stmt: Select[Any], user: User) -> Select[Any]:
    """Brigades see petitions routed to them or about their own cases (docs/permissions.md)."""
    if sees_all_cases(user):
        return stmt
    own_cases = select(Case.id).where(Case.unit_code == user.unit_code)
    return stmt.where(or_(Petition.unit_code == user.unit_code, Petition.case_id.in_(own_cases)))


PETITIONS = Workflow(
    model=Petition,
    entity="petition",
    actions_of=_state_actions,
    steps=STEPS,
    snapshot=fields_of("state", "unit_code", "supervised", "version"),
    visible=_visible,
    children=(Petition.urges,),
    filters={
        "state": Petition.state,
        "supervised": Petition.supervised,
        "case_id": Petition.case_id,
        "unit": Petition.unit_code,
    },
)


def _linked_case(session: Session, case_id: int, user: User) -> Case:
    case = session.get(Case, case_id)
    if case is None or not can_see(user, case):
        raise InvalidInput("case_id", f"case {case_id} not found")
    return case


def receive_petition(
    session: Session,
    *,
    user: User,
    received_on: date,
    channel: PetitionChannel,
    petitioner_name: str,
    contact: str | None,
    case_id: int | None,
    content: str,
) -> Petition:
    """Receive a petition (接访); starts D9, registration within 5 working days."""
    case = _linked_case(session, case_id, user) if case_id is not None else None
    check_legal_date("received_on", received_on)
    key = petitioner_key(petitioner_name)
    earlier: Petition | None = None
    count = 0
    if case is not None:
        same = select(Petition).where(Petition.case_id == case.id, Petition.petitioner_key == key)
        earlier = session.scalars(same.order_by(Petition.received_on, Petition.id).limit(1)).first()
        count = session.scalar(select(func.count()).select_from(same.subquery())) or 0
    petition = Petition(
        case_id=case.id if case else None,
        received_on=received_on,
        channel=channel,
        petitioner_name=petitioner_name,
        petitioner_key=key,
        contact=contact,
        content=content,
        state=PetitionState.received,
        repeat_of_id=earlier.id if earlier else None,
        repeat_count=count,
        received_by_id=user.id,
    )
    petition = PETITIONS.created(
        session,
        user=user,
        record=petition,
        action="received",
        fields=("received_on", "channel", "petitioner_name", "repeat_of_id"),
    )
    # SPC petition rules 2021: registered within 5 working days of receipt.
    PETITIONS.clock(session, petition, "petition.received", on=received_on)
    return petition


@PETITIONS.command("register")
def register_petition(change: Change[Petition], *, registered_on: date | None) -> Petition:
    """Register the petition (登记); meets D9 and starts D10, closing within 30 days."""
    petition = change.record
    registered_on = legal_date_or_today(
        "registered_on", registered_on, not_before=petition.received_on, not_before_what="its receipt"
    )
    petition.registered_on = registered_on
    petition.state = PetitionState.registered
    result = change.save("registered", registered_on=registered_on)
    # SPC petition rules 2021: closed within 30 days of registration.
    change.clock("petition.registered", on=registered_on)
    return result


@PETITIONS.command("route")
def route_petition(
    change: Change[Petition], *, unit_code: str | None, routed_on: date | None, note: str | None
) -> Petition:
    """Send the petition to the team handling its case (转交), or to the team named when there is none."""
    petition = change.record
    case = change.session.get(Case, petition.case_id) if petition.case_id is not None else None
    if case is not None and case.unit_code is not None:
        # Plan §5(8) with §3(1): the team handling the case answers petitions about it.
        if unit_code is not None and unit_code != case.unit_code:
            raise InvalidInput(
                "unit_code",
                f"case {case.case_number} is handled by {case.unit_code}; a petition on it goes to that team",
            )
        unit_code = case.unit_code
    elif unit_code is None:
        raise InvalidInput("unit_code", "name the handling team: the petition has no allocated case")
    if unit_code not in TEAM_UNITS:
        raise InvalidInput(
            "unit_code",
            f"{unit_code!r} is not a handling team; expected one of {', '.join(sorted(TEAM_UNITS))}",
        )
    routed_on = legal_date_or_today(
        "routed_on", routed_on, not_before=petition.registered_on, not_before_what="its registration"
    )
    petition.unit_code, petition.routed_on, petition.route_note = unit_code, routed_on, note
    petition.state = PetitionState.routed
    return change.save("routed", routed_on=routed_on, reason=note)


@PETITIONS.command("urge")
def urge_petition(change: Change[Petition], *, note: str, urged_on: date | None) -> Petition:
    """Urge the handling team to answer (催办); may be repeated."""
    petition = change.record
    urged_on = legal_date_or_today(
        "urged_on", urged_on, not_before=petition.routed_on, not_before_what="the routing"
    )
    change.session.add(
        PetitionUrge(petition_id=petition.id, urged_on=urged_on, note=note, urged_by_id=change.user.id)
    )
    return change.save("urged", urged_on=urged_on, reason=note)


@PETITIONS.command("supervise")
def supervise_petition(change: Change[Petition], *, note: str | None, supervised_on: date | None) -> Petition:
    """Escalate the petition to the bureau's leadership (督办): it shows on their board."""
    petition = change.record
    supervised_on = legal_date_or_today(
        "supervised_on", supervised_on, not_before=petition.registered_on, not_before_what="its registration"
    )
    petition.supervised, petition.supervised_on = True, supervised_on
    petition.supervision_note, petition.supervised_by_id = note, change.user.id
    return change.save("supervised", supervised_on=supervised_on, reason=note)


@PETITIONS.command("reply")
def reply_to_petition(change: Change[Petition], *, reply_text: str, replied_on: date | None) -> Petition:
    """The handling team's answer to the petition (回复)."""
    petition = change.record
    replied_on = legal_date_or_today(
        "replied_on", replied_on, not_before=petition.routed_on, not_before_what="the routing"
    )
    petition.reply_text, petition.replied_on, petition.replied_by_id = reply_text, replied_on, change.user.id
    petition.state = PetitionState.replied
    return change.save("replied", replied_on=replied_on)


@PETITIONS.command("resolve")
def resolve_petition(change: Change[Petition], *, resolved_on: date | None, note: str | None) -> Petition:
    """Record that the dispute behind the petition was resolved (化解矛盾)."""
    petition = change.record
    resolved_on = legal_date_or_today(
        "resolved_on", resolved_on, not_before=petition.replied_on, not_before_what="the reply"
    )
    petition.resolved_on, petition.resolution_note = resolved_on, note
    petition.state = PetitionState.resolved
    return change.save("resolved", resolved_on=resolved_on, reason=note)


@PETITIONS.command("close")
def close_petition(change: Change[Petition], *, closed_on: date | None, note: str | None) -> Petition:
    """Close the petition (报结); meets D10."""
    petition = change.record
    closed_on = legal_date_or_today(
        "closed_on",
        closed_on,
        not_before=petition.resolved_on or petition.replied_on,
        not_before_what="the reply",
    )
    petition.closed_on, petition.close_note = closed_on, note
    petition.state = PetitionState.closed
    result = change.save("closed", closed_on=closed_on, reason=note)
    change.clock("petition.closed", on=closed_on)
    return result
