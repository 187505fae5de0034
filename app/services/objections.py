"""Enforcement objections (执行异议, docs/rules.md#objections, plan §5(7)): received, docketed with their own
执异 number, heard, ruled, served; a ruling may be taken to the higher court on reconsideration (复议).

Enforcement of the case goes on meanwhile: nothing here changes the case's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import DeadlineStatus
from app.enums import FilerKind
from app.enums import MeasureKind
from app.enums import ObjectionKind
from app.enums import ObjectionOutcome
from app.enums import ObjectionState
from app.errors import InvalidInput
from app.models.case import Case
from app.models.deadline import Deadline
from app.models.measure import Measure
from app.models.objection import Objection
from app.models.objection import ObjectionHearing
from app.models.user import User
from app.rules.identifiers import format_case_number
from app.rules.periods import add_days
from app.services.assets import check_asset_of_case
from app.services.case_access import load_case
from app.services.case_access import visible_cases
from app.services.numbering import highest_case_serial
from app.services.numbering import next_serial
from app.services.workflow import Change
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import check_legal_date
from app.services.workflow import fields_of
from app.services.workflow import legal_date_or_today
from app.services.working_calendar import working_calendar
from app.settings import court_today
from app.settings import get_settings

DOCKET_TYPE_CODE = "执异"  # SPC case-number rules 2015: enforcement objection cases

# The actions each state admits (docs/rules.md#objections: received → docketed → hearing → ruled → served →
# reconsideration → transferred).
STATE_ACTIONS: dict[ObjectionState, tuple[str, ...]] = {
    ObjectionState.received: ("docket",),
    ObjectionState.docketed: ("hearing", "ruling"),
    ObjectionState.hearing_scheduled: ("hearing", "ruling"),
    ObjectionState.heard: ("hearing", "ruling"),
    ObjectionState.ruled: ("service",),
    ObjectionState.served: ("reconsideration",),
    ObjectionState.reconsideration_applied: ("transfer",),
    ObjectionState.transferred: (),
    ObjectionState.not_accepted: (),
}
# Plan §5(7): an application for reconsideration received here is not ruled on here; its file goes
# to the higher court (对复议案件按规定移送卷宗).
RECONSIDERATION_KIND_ACTIONS: dict[ObjectionState, tuple[str, ...]] = {
    ObjectionState.received: ("transfer",),
    ObjectionState.transferred: (),
}

# Who may raise which kind. CPL (2023) art. 238: the case-outsider objection is an outsider's; a
# jurisdiction objection is a party's (SPC interpretation on CPL enforcement procedure, art. 3);
# SPC rules on adding/changing parties 2016: the applicant applies.
FILERS_BY_KIND: dict[ObjectionKind, frozenset[FilerKind]] = {
    ObjectionKind.enforcement_act: frozenset(FilerKind),  # CPL (2023) art. 236: parties, interested persons
    ObjectionKind.outsider: frozenset({FilerKind.outsider}),
    ObjectionKind.add_change_parties: frozenset({FilerKind.party}),
    ObjectionKind.jurisdiction: frozenset({FilerKind.party}),
    ObjectionKind.reconsideration: frozenset(FilerKind),
}


# CPL (2023) art. 238: a ruling on a case-outsider objection is not reconsidered; the remedy is a suit
# (执行异议之诉) or retrial, outside this desk.
NOT_RECONSIDERED = frozenset({ObjectionKind.outsider})


def _state_actions(objection: Objection) -> list[str]:
    table = RECONSIDERATION_KIND_ACTIONS if objection.kind == ObjectionKind.reconsideration else STATE_ACTIONS
    actions = table.get(objection.state, ())
    if objection.kind in NOT_RECONSIDERED:
        actions = tuple(a for a in actions if a != "reconsideration")
    return list(actions)


OBJECTIONS = Workflow(
    model=Objection,
    entity="objection",
    actions_of=_state_actions,
    # The objection group handles every step (plan §5(7)).
    steps={
        action: Step(permission="objection.handle")
        for action in ("docket", "hearing", "ruling", "service", "reconsideration", "transfer")
    },
    snapshot=fields_of(
        "state",
        "docket_number",
        "outcome",
        "ruled_on",
        "served_on",
        "reconsideration_applied_on",
        "transferred_on",
        "version",
    ),
    visible=lambda stmt, user: visible_cases(stmt, user, Objection.case_id),
    children=(Objection.hearings,),
    label_of=lambda objection: f"objection {objection.docket_number or objection.id}",
    clock_params=lambda objection: {"kind": objection.kind},  # each kind has its own ruling period
    filters={"state": Objection.state, "kind": Objection.kind, "case_id": Objection.case_id},
)


# Filing -------------------------------------------------------------------------------------------


def execution_notice_served_on(session: Session, case_id: int) -> date | None:
    """When the party first received an execution notice (执行通知书) of the case, if that is recorded."""
    return session.scalar(
        select(func.min(Measure.served_on)).where(
            Measure.case_id == case_id, Measure.kind == MeasureKind.execution_notice
        )
    )


def _late_jurisdiction_objection(session: Session, *, case: Case, received_on: date) -> str | None:
    """Why a jurisdiction objection came too late (the window stated), or None when in time."""
    served_on = execution_notice_served_on(session, case.id)
    if served_on is None:
        return None  # the period runs from the party's receipt of the notice; it has not started
    days = get_settings().jurisdiction_objection_days
    # SPC interpretation on CPL enforcement procedure (2020) art. 3: a jurisdiction objection within
    # 10 days of receiving the execution notice (cf. CPL (2023) art. 130); counted per CPL art. 85.
    last_day = add_days(served_on, days, working_calendar(session)).due_on
    if received_on <= last_day:
        return None
    return (
        f"不予受理: a jurisdiction objection is raised within {days} days of receiving the execution notice "
        f"(received {served_on.isoformat()}); the period ended on {last_day.isoformat()}, the objection "
        f"was received on {received_on.isoformat()} (SPC interpretation on CPL enforcement procedure, art. 3)"
    )


def file_objection(
    session: Session,
    *,
    user: User,
    case_id: int,
    kind: ObjectionKind,
    filer_name: str,
    filer_kind: FilerKind,
    received_on: date,
    grounds: str,
    asset_id: int | None = None,
) -> Objection:
    """Receive an objection against a case; starts the ruling clock (D5 act, D6 outsider)."""
    case = load_case(session, case_id, user)
    if filer_kind not in FILERS_BY_KIND[kind]:
        allowed = " or ".join(sorted(FILERS_BY_KIND[kind]))
        raise InvalidInput("filer_kind", f"a {kind.value} objection is filed by a {allowed}")
    if asset_id is not None:
        # CPL (2023) art. 238: an outsider objects to the enforcement against a particular asset.
        if kind != ObjectionKind.outsider:
            raise InvalidInput("asset_id", "only an outsider's objection names an asset it claims")
        check_asset_of_case(session, case, asset_id)
    check_legal_date(
        "received_on",
        received_on,
        not_before=case.filed_on,
        not_before_what=f"the filing of case {case.case_number}",
    )
    late = (
        _late_jurisdiction_objection(session, case=case, received_on=received_on)
        if kind == ObjectionKind.jurisdiction
        else None
    )
    objection = Objection(
        case_id=case.id,
        kind=kind,
        filer_name=filer_name,
        filer_kind=filer_kind,
        received_on=received_on,
        grounds=grounds,
        asset_id=asset_id,
        state=ObjectionState.received,
        filed_by_id=user.id,
    )
    objection = OBJECTIONS.created(
        session,
        user=user,
        record=objection,
        action="received",
        fields=("kind", "filer_name", "filer_kind", "received_on", "asset_id"),
    )
    if late is not None:
        # The court keeps every filing it receives; a late one is recorded and closed as not accepted.
        before = OBJECTIONS.snapshot(objection)
        objection.state = ObjectionState.not_accepted
        objection.outcome = ObjectionOutcome.not_accepted
        objection.ruling_reasons, objection.ruled_on = late, received_on
        return OBJECTIONS.changed(
            session, user=user, record=objection, action="not_accepted", before=before, ruled_on=received_on
        )
    # SPC objection rules 2015: an application for reconsideration received here starts D8 (file to the
    # higher court within 5 days); any other objection starts its ruling clock.
    event = (
        "objection.reconsideration_applied" if kind == ObjectionKind.reconsideration else "objection.received"
    )
    OBJECTIONS.clock(session, objection, event, on=received_on)
    return objection


@dataclass(frozen=True)
class SuitWindow:
    """An upheld outsider objection whose applicant may still sue (D17), and the asset it holds."""

    objection_id: int
    asset_id: int
    due_on: date


def suit_window_holding(session: Session, *, case_id: int, asset_id: int) -> SuitWindow | None:
    """The open D17 window that holds ``asset_id`` back from disposal, if any.

    CPL (2023) art. 238 and the SPC interpretation of the CPL art. 313: once an outsider's objection
    to an asset is upheld, the applicant may sue within 15 days of service, and the asset is not
    disposed of meanwhile.
    """
    row = session.execute(
        select(Objection.id, Objection.asset_id, Deadline.due_on)
        .join(Deadline, (Deadline.subject_type == "objection") & (Deadline.subject_id == Objection.id))
        .where(
            Objection.case_id == case_id,
            Objection.asset_id == asset_id,
            Deadline.rule == "D17",
            Deadline.status.in_((DeadlineStatus.open, DeadlineStatus.paused)),
            Deadline.due_on >= court_today(),
        )
        .order_by(Deadline.due_on.desc())
        .limit(1)
    ).one_or_none()
    return None if row is None else SuitWindow(row.id, row.asset_id, row.due_on)


# Commands -----------------------------------------------------------------------------------------


def _highest_docket_serial(session: Session, *, year: int, court_code: str) -> int:
    return (
        session.scalar(
            select(func.max(Objection.docket_serial))
            .join(Case, Case.id == Objection.case_id)
            .where(Objection.docket_year == year, Case.court_code == court_code)
        )
        or 0
    )


@OBJECTIONS.command("docket")
def docket_objection(change: Change[Objection], *, docketed_on: date | None) -> Objection:
    """Docket (立案) the objection with the next 执异 number of the year, without gaps or duplicates."""
    objection = change.record
    docketed_on = legal_date_or_today(
        "docketed_on",
        docketed_on,
        not_before=objection.received_on,
        not_before_what="the objection was received",
    )
    case = change.session.get_one(Case, objection.case_id)
    # SPC case-number rules 2015: (year) court code, type code, serial; serials run per year from 1.
    year = docketed_on.year
    # A 执异 number already on a case or an objection of that year is never issued again.
    used = max(
        highest_case_serial(
            change.session, year=year, court_code=case.court_code, type_code=DOCKET_TYPE_CODE
        ),
        _highest_docket_serial(change.session, year=year, court_code=case.court_code),
    )
    serial = next_serial(
        change.session, year=year, court_code=case.court_code, type_code=DOCKET_TYPE_CODE, at_least=used
    )
    objection.docket_number = format_case_number(docketed_on.year, case.court_code, DOCKET_TYPE_CODE, serial)
    objection.docket_year, objection.docket_serial = docketed_on.year, serial
    objection.docketed_on = docketed_on
    objection.state = ObjectionState.docketed
    result = change.save("docketed", docketed_on=docketed_on)
    # SPC objection rules 2015 art. 2: docketed within 3 days of receipt (D15).
    change.clock("objection.docketed", on=docketed_on)
    return result


def record_hearing(
    session: Session,
    *,
    user: User,
    objection_id: int,
    scheduled_for: datetime | None,
    held_on: date | None,
    notes: str | None,
    expected_version: int | None = None,
) -> Objection:
    """Schedule a hearing (听证), or record that it was held, with notes."""
    if scheduled_for is None and held_on is None:
        raise InvalidInput("scheduled_for", "give scheduled_for to schedule a hearing, held_on to record one")
    change = OBJECTIONS.begin(session, user, objection_id, "hearing", expected_version)
    objection = change.record
    if held_on is not None:
        check_legal_date(
            "held_on",
            held_on,
            not_before=objection.docketed_on or objection.received_on,
            not_before_what="the objection was docketed",
        )
    pending = None
    if objection.state == ObjectionState.hearing_scheduled:
        pending = session.scalars(
            select(ObjectionHearing)
            .where(ObjectionHearing.objection_id == objection.id)
            .order_by(ObjectionHearing.id.desc())
            .limit(1)
        ).first()
    hearing = pending or ObjectionHearing(objection_id=objection.id, recorded_by_id=user.id)
    if scheduled_for is not None:
        hearing.scheduled_for = scheduled_for
    if held_on is not None:
        hearing.held_on = held_on
    if notes is not None:
        hearing.notes = notes
    session.add(hearing)
    objection.state = ObjectionState.heard if held_on is not None else ObjectionState.hearing_scheduled
    return change.save("hearing_recorded", scheduled_for=hearing.scheduled_for, held_on=held_on, reason=notes)


@OBJECTIONS.command("ruling")
def record_ruling(
    change: Change[Objection], *, outcome: ObjectionOutcome, reasons: str, ruled_on: date
) -> Objection:
    """Rule on the objection: upheld (异议成立) or rejected (驳回), with reasons; meets D5/D6."""
    objection = change.record
    check_legal_date(
        "ruled_on",
        ruled_on,
        not_before=objection.docketed_on or objection.received_on,
        not_before_what="the objection was docketed",
    )
    objection.outcome, objection.ruling_reasons, objection.ruled_on = outcome, reasons, ruled_on
    objection.state = ObjectionState.ruled
    result = change.save("ruled", reason=reasons)
    # CPL (2023) art. 236, 238: ruling within 15 days of receipt.
    change.clock("objection.ruled", on=ruled_on)
    return result


@OBJECTIONS.command("service")
def record_service(change: Change[Objection], *, served_on: date) -> Objection:
    """Record service of the ruling (送达); the reconsideration period (D7) runs from it."""
    objection = change.record
    check_legal_date("served_on", served_on, not_before=objection.ruled_on, not_before_what="the ruling")
    objection.served_on = served_on
    objection.state = ObjectionState.served
    result = change.save("ruling_served")
    # CPL (2023) art. 236: reconsideration may be sought within 10 days of service of the ruling.
    change.clock("objection.ruling_served", on=served_on)
    if objection.kind == ObjectionKind.outsider and objection.outcome == ObjectionOutcome.upheld:
        # CPL (2023) art. 238: the applicant may sue within 15 days of service (D17).
        change.clock("objection.outsider_upheld_served", on=served_on)
    return result


def reconsideration_last_day(session: Session, objection: Objection) -> date | None:
    """The last day to apply for reconsideration, once the ruling is served."""
    if objection.served_on is None:
        return None
    # CPL (2023) art. 236: within 10 days of service; the start day is not counted and a period ending
    # on a rest day runs to the next working day (CPL (2023) art. 85).
    days = get_settings().d7_reconsideration_window_days
    return add_days(objection.served_on, days, working_calendar(session)).due_on


@OBJECTIONS.command("reconsideration")
def apply_for_reconsideration(
    change: Change[Objection], *, applied_on: date, applicant: str | None, grounds: str | None
) -> Objection:
    """Record an application for reconsideration (复议) of the ruling; starts D8 (file to higher court)."""
    objection = change.record
    check_legal_date(
        "applied_on", applied_on, not_before=objection.served_on, not_before_what="service of the ruling"
    )
    last_day = reconsideration_last_day(change.session, objection)
    if last_day is not None and applied_on > last_day:
        days = get_settings().d7_reconsideration_window_days
        raise InvalidInput(
            "applied_on",
            f"reconsideration must be applied for within {days} days of service of the ruling "
            f"(served {objection.served_on}); the period ended on {last_day.isoformat()} "
            "(CPL (2023) art. 236)",
        )
    objection.reconsideration_applied_on = applied_on
    objection.reconsideration_applicant = applicant
    objection.reconsideration_grounds = grounds
    objection.state = ObjectionState.reconsideration_applied
    result = change.save("reconsideration_applied", applicant=applicant, reason=grounds)
    # SPC objection rules 2015: the file goes to the higher court within 5 days of the application.
    change.clock("objection.reconsideration_applied", on=applied_on)
    return result


@OBJECTIONS.command("transfer")
def record_transfer(
    change: Change[Objection], *, transferred_on: date, higher_court: str | None, note: str | None
) -> Objection:
    """Record that the file went to the higher court for the reconsideration (复议移转); meets D8."""
    objection = change.record
    check_legal_date(
        "transferred_on",
        transferred_on,
        not_before=objection.reconsideration_applied_on or objection.received_on,
        not_before_what="the application for reconsideration",
    )
    objection.transferred_on, objection.higher_court = transferred_on, higher_court
    objection.transfer_note = note
    objection.state = ObjectionState.transferred
    result = change.save("transferred", higher_court=higher_court, reason=note)
    change.clock("objection.transferred", on=transferred_on)
    return result
