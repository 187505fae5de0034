"""Enforcement petitions (涉执信访, DOMAIN.md §9, plan §3(1), §5(8)): the comprehensive group receives
and registers them (D9), routes each to the handling team, urges (催办) and supervises (督办) it;
the team replies; the comprehensive group closes it (报结, D10). A petitioner who comes back on
the same case is linked to the first petition.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.enums import PetitionChannel, PetitionState
from app.errors import Forbidden, InvalidInput, NotFound
from app.models.base import utcnow
from app.models.case import Case
from app.models.petition import Petition, PetitionUrge
from app.models.user import User
from app.policy import TEAM_UNITS, actor_may_on_case, sees_all_cases
from app.services import audit, deadlines
from app.services.case_access import can_see
from app.services.paging import keyset_page
from app.services.workflow import check_legal_date, check_version, require_action
from app.settings import court_today

# DOMAIN.md §9: received → registered → routed (urged, supervised) → replied → resolved → closed.
STATE_ACTIONS: dict[PetitionState, tuple[str, ...]] = {
    PetitionState.received: ("register",),
    PetitionState.registered: ("route", "supervise"),
    PetitionState.routed: ("route", "urge", "supervise", "reply"),
    PetitionState.replied: ("resolve", "close", "supervise"),
    PetitionState.resolved: ("close", "supervise"),
    PetitionState.closed: (),
}


def allowed_actions(petition: Petition) -> list[str]:
    actions = STATE_ACTIONS[PetitionState(petition.state)]
    return [a for a in actions if not (a == "supervise" and petition.supervised)]  # escalated once


def petitioner_key(name: str) -> str:
    """A name as compared for repeat petitions: width-folded, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", name).casefold().split())


def _snapshot(petition: Petition) -> dict[str, Any]:
    return {
        "state": petition.state,
        "unit_code": petition.unit_code,
        "supervised": petition.supervised,
        "version": petition.version,
    }


def _label(petition: Petition) -> str:
    return f"petition {petition.id}"


def _with_urges(session: Session, petition_id: int) -> Petition:
    return session.execute(
        select(Petition)
        .where(Petition.id == petition_id)
        .options(selectinload(Petition.urges))
        .execution_options(populate_existing=True)
    ).scalar_one()


def _changed(
    session: Session,
    *,
    user: User,
    petition: Petition,
    action: str,
    before: dict[str, Any],
    reason: str | None = None,
    **after: Any,
) -> Petition:
    petition.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=user,
        action=f"petition.{action}",
        entity_type="petition",
        entity_id=petition.id,
        case_id=petition.case_id,
        before=before,
        after={**_snapshot(petition), **after},
        reason=reason,
    )
    return _with_urges(session, petition.id)


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
    session.add(petition)
    session.flush()
    audit.record(
        session,
        actor=user,
        action="petition.received",
        entity_type="petition",
        entity_id=petition.id,
        case_id=petition.case_id,
        after={
            **_snapshot(petition),
            "received_on": received_on,
            "channel": channel,
            "petitioner_name": petitioner_name,
            "repeat_of_id": petition.repeat_of_id,
        },
    )
    # SPC petition rules 2021: registered within 5 working days of receipt.
    deadlines.record_event(
        session,
        event="petition.received",
        on=received_on,
        case_id=petition.case_id,
        subject_type="petition",
        subject_id=petition.id,
    )
    return _with_urges(session, petition.id)


def _for_action(
    session: Session, *, petition_id: int, user: User, action: str, expected_version: int | None
) -> Petition:
    """Load and lock the petition for ``action``: 404, 412 stale version, 409 wrong state."""
    petition = session.execute(
        select(Petition).where(Petition.id == petition_id).with_for_update()
    ).scalar_one_or_none()
    if petition is None or not _may_see(session, user, petition):
        raise NotFound(f"petition {petition_id} not found")
    check_version(petition, expected_version, label=_label(petition))
    require_action(
        label=_label(petition), state=petition.state, action=action, allowed=allowed_actions(petition)
    )
    return petition


def register_petition(
    session: Session,
    *,
    user: User,
    petition_id: int,
    registered_on: date | None,
    expected_version: int | None = None,
) -> Petition:
    """Register the petition (登记); meets D9 and starts D10, closing within 30 days."""
    petition = _for_action(
        session, petition_id=petition_id, user=user, action="register", expected_version=expected_version
    )
    registered_on = registered_on or court_today()
    check_legal_date(
        "registered_on", registered_on, not_before=petition.received_on, not_before_what="its receipt"
    )
    before = _snapshot(petition)
    petition.registered_on = registered_on
    petition.state = PetitionState.registered
    result = _changed(
        session, user=user, petition=petition, action="registered", before=before, registered_on=registered_on
    )
    # SPC petition rules 2021: closed within 30 days of registration.
    deadlines.record_event(
        session,
        event="petition.registered",
        on=registered_on,
        case_id=petition.case_id,
        subject_type="petition",
        subject_id=petition.id,
    )
    return result


def route_petition(
    session: Session,
    *,
    user: User,
    petition_id: int,
    unit_code: str | None,
    routed_on: date | None,
    note: str | None,
    expected_version: int | None = None,
) -> Petition:
    """Send the petition to the team handling its case (转交), or to the team named when there is none."""
    petition = _for_action(
        session, petition_id=petition_id, user=user, action="route", expected_version=expected_version
    )
    case = session.get(Case, petition.case_id) if petition.case_id is not None else None
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
    routed_on = routed_on or court_today()
    check_legal_date(
        "routed_on", routed_on, not_before=petition.registered_on, not_before_what="its registration"
    )
    before = _snapshot(petition)
    petition.unit_code, petition.routed_on, petition.route_note = unit_code, routed_on, note
    petition.state = PetitionState.routed
    return _changed(
        session,
        user=user,
        petition=petition,
        action="routed",
        before=before,
        routed_on=routed_on,
        reason=note,
    )


def urge_petition(
    session: Session,
    *,
    user: User,
    petition_id: int,
    note: str,
    urged_on: date | None,
    expected_version: int | None = None,
) -> Petition:
    """Urge the handling team to answer (催办); may be repeated."""
    petition = _for_action(
        session, petition_id=petition_id, user=user, action="urge", expected_version=expected_version
    )
    urged_on = urged_on or court_today()
    check_legal_date("urged_on", urged_on, not_before=petition.routed_on, not_before_what="the routing")
    before = _snapshot(petition)
    session.add(PetitionUrge(petition_id=petition.id, urged_on=urged_on, note=note, urged_by_id=user.id))
    return _changed(
        session, user=user, petition=petition, action="urged", before=before, urged_on=urged_on, reason=note
    )


def supervise_petition(
    session: Session,
    *,
    user: User,
    petition_id: int,
    note: str | None,
    supervised_on: date | None,
    expected_version: int | None = None,
) -> Petition:
    """Escalate the petition to the bureau's leadership (督办): it shows on their board."""
    petition = _for_action(
        session, petition_id=petition_id, user=user, action="supervise", expected_version=expected_version
    )
    supervised_on = supervised_on or court_today()
    check_legal_date(
        "supervised_on", supervised_on, not_before=petition.registered_on, not_before_what="its registration"
    )
    before = _snapshot(petition)
    petition.supervised, petition.supervised_on = True, supervised_on
    petition.supervision_note, petition.supervised_by_id = note, user.id
    return _changed(
        session,
        user=user,
        petition=petition,
        action="supervised",
        before=before,
        supervised_on=supervised_on,
        reason=note,
    )


def reply_to_petition(
    session: Session,
    *,
    user: User,
    petition_id: int,
    reply_text: str,
    replied_on: date | None,
    expected_version: int | None = None,
) -> Petition:
    """The handling team's answer to the petition (回复)."""
    petition = _for_action(
        session, petition_id=petition_id, user=user, action="reply", expected_version=expected_version
    )
    team = SimpleNamespace(unit_code=petition.unit_code, handler_id=None)
    if not actor_may_on_case(user, "petition.reply", team):
        raise Forbidden(f"petition {petition.id} was routed to {petition.unit_code}; only that team replies")
    replied_on = replied_on or court_today()
    check_legal_date("replied_on", replied_on, not_before=petition.routed_on, not_before_what="the routing")
    before = _snapshot(petition)
    petition.reply_text, petition.replied_on, petition.replied_by_id = reply_text, replied_on, user.id
    petition.state = PetitionState.replied
    return _changed(
        session, user=user, petition=petition, action="replied", before=before, replied_on=replied_on
    )


def resolve_petition(
    session: Session,
    *,
    user: User,
    petition_id: int,
    resolved_on: date | None,
    note: str | None,
    expected_version: int | None = None,
) -> Petition:
    """Record that the dispute behind the petition was resolved (化解矛盾)."""
    petition = _for_action(
        session, petition_id=petition_id, user=user, action="resolve", expected_version=expected_version
    )
    resolved_on = resolved_on or court_today()
    check_legal_date("resolved_on", resolved_on, not_before=petition.replied_on, not_before_what="the reply")
    before = _snapshot(petition)
    petition.resolved_on, petition.resolution_note = resolved_on, note
    petition.state = PetitionState.resolved
    return _changed(
        session,
        user=user,
        petition=petition,
        action="resolved",
        before=before,
        resolved_on=resolved_on,
        reason=note,
    )


def close_petition(
    session: Session,
    *,
    user: User,
    petition_id: int,
    closed_on: date | None,
    note: str | None,
    expected_version: int | None = None,
) -> Petition:
    """Close the petition (报结); meets D10."""
    petition = _for_action(
        session, petition_id=petition_id, user=user, action="close", expected_version=expected_version
    )
    closed_on = closed_on or court_today()
    check_legal_date(
        "closed_on",
        closed_on,
        not_before=petition.resolved_on or petition.replied_on,
        not_before_what="the reply",
    )
    before = _snapshot(petition)
    petition.closed_on, petition.close_note = closed_on, note
    petition.state = PetitionState.closed
    result = _changed(
        session,
        user=user,
        petition=petition,
        action="closed",
        before=before,
        closed_on=closed_on,
        reason=note,
    )
    deadlines.record_event(
        session,
        event="petition.closed",
        on=closed_on,
        case_id=petition.case_id,
        subject_type="petition",
        subject_id=petition.id,
    )
    return result


# Reading ------------------------------------------------------------------------------------------


def _may_see(session: Session, user: User, petition: Petition) -> bool:
    """Brigades see petitions routed to them or about their own cases (DOMAIN.md §1)."""
    if sees_all_cases(user) or petition.unit_code == user.unit_code:
        return True
    case = session.get(Case, petition.case_id) if petition.case_id is not None else None
    return case is not None and case.unit_code == user.unit_code


def _visible(stmt: Select[Any], user: User) -> Select[Any]:
    if sees_all_cases(user):
        return stmt
    own_cases = select(Case.id).where(Case.unit_code == user.unit_code)
    return stmt.where(or_(Petition.unit_code == user.unit_code, Petition.case_id.in_(own_cases)))


def get_petition(session: Session, *, user: User, petition_id: int) -> Petition:
    petition = session.get(Petition, petition_id)
    if petition is None or not _may_see(session, user, petition):
        raise NotFound(f"petition {petition_id} not found")
    return _with_urges(session, petition_id)


@dataclass(frozen=True)
class PetitionFilters:
    state: PetitionState | None = None
    supervised: bool | None = None
    case_id: int | None = None
    unit: str | None = None


def list_petitions(
    session: Session, *, user: User, filters: PetitionFilters, limit: int, cursor: str | None
) -> tuple[list[Petition], str | None]:
    """A page of the petitions the caller may see, newest first, and the next cursor."""
    stmt = _visible(select(Petition), user).options(selectinload(Petition.urges))
    if filters.state is not None:
        stmt = stmt.where(Petition.state == filters.state)
    if filters.supervised is not None:
        stmt = stmt.where(Petition.supervised == filters.supervised)
    if filters.case_id is not None:
        stmt = stmt.where(Petition.case_id == filters.case_id)
    if filters.unit is not None:
        stmt = stmt.where(Petition.unit_code == filters.unit)
    return keyset_page(session, stmt, Petition.id, cursor=cursor, limit=limit)
