"""Enforcement measures recorded by the handling team (plan §5(3)).

Each measure carries its legal date, its document number and its signer: the handling judge signs
("谁办案谁负责", plan §4) except the documents the law reserves for the president, which the
director signs. Measures feed the deadline clocks (execution notice → D2; suspensions pause them)
and the 终本 gate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import CaseState
from app.enums import DeletionTrigger
from app.enums import MeasureKind
from app.enums import PartyRole
from app.enums import PartyType
from app.errors import Conflict
from app.errors import InvalidInput
from app.errors import NotFound
from app.models.case import Case
from app.models.case import Party
from app.models.measure import Measure
from app.models.user import User
from app.services import audit
from app.services import deadline_events
from app.services import dishonest
from app.services.case_access import case_for_action
from app.services.case_access import load_case
from app.services.case_queries import case_records
from app.settings import court_today
from app.settings import get_settings


@dataclass(frozen=True, slots=True)
class NewMeasure:
    """A measure as the team reports it; the fields that apply depend on ``kind``."""

    kind: MeasureKind
    on: date  # its legal date
    document_number: str | None = None
    signed_by: int | None = None
    respondent_id: int | None = None
    amount: Decimal | None = None
    detention_days: int | None = None
    served_on: date | None = None
    subtype: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    suspension_id: int | None = None
    result: str | None = None
    notes: str | None = None


def needs_president(kind: str) -> bool:
    """Whether the document is the president's: reviewed by the director, approved by the president."""
    return kind in get_settings().president_approved_measures


def in_force(measure: Measure) -> bool:
    """A measure counts once it exists, or for the president's documents once he has approved it."""
    return not needs_president(measure.kind) or measure.approved_on is not None


def _check_signer(*, case: Case, kind: MeasureKind, signed_by: int | None, user: User) -> None:
    if signed_by is None:
        return
    if needs_president(kind):
        # CPL (2023) art. 119, SPC consumption-restriction rules art. 5: the president approves under his
        # own login (POST …/approval); nobody names him here.
        raise InvalidInput(
            "signed_by",
            f"a {kind} is reviewed by the director and approved by the president, each under their own "
            "login; it is recorded without a signer",
        )
    if signed_by != user.id or user.id != case.handler_id:
        # Plan §4 "谁办案谁负责": the handling judge signs the case's documents, as himself.
        raise InvalidInput(
            "signed_by",
            f"a {kind} document is signed by the case's handling judge (user {case.handler_id}) under "
            f"his own login; user {user.id} cannot sign as user {signed_by}",
        )


def _respondent(session: Session, *, case: Case, respondent_id: int | None) -> Party | None:
    if respondent_id is None:
        return None
    party = session.get(Party, respondent_id)
    if party is None or party.case_id != case.id or party.role != PartyRole.respondent:
        raise InvalidInput(
            "respondent_id", f"party {respondent_id} is not a respondent of case {case.case_number}"
        )
    return party


def _check_fine(amount: Decimal, respondent: Party | None) -> None:
    # CPL (2023) art. 118: individuals up to 100,000 yuan; organisations 50,000 to 1,000,000 yuan.
    settings = get_settings()
    if respondent is not None and respondent.party_type == PartyType.natural_person:
        low, high = Decimal("0.01"), settings.fine_max_individual
    elif respondent is not None:
        low, high = settings.fine_min_organisation, settings.fine_max_organisation
    else:
        low, high = Decimal("0.01"), settings.fine_max_organisation
    if not low <= amount <= high:
        raise InvalidInput("amount", f"a fine on this respondent is between {low:.2f} and {high:.2f} yuan")


def _open_suspension(session: Session, *, case: Case, suspension_id: int | None) -> Measure:
    stmt = select(Measure).where(
        Measure.case_id == case.id, Measure.kind == MeasureKind.suspension, Measure.ended_on.is_(None)
    )
    if suspension_id is not None:
        found = session.execute(stmt.where(Measure.id == suspension_id)).scalar_one_or_none()
        if found is None:
            raise InvalidInput(
                "suspension_id", f"no running suspension {suspension_id} on case {case.case_number}"
            )
        return found
    running = list(session.scalars(stmt.order_by(Measure.id)))
    if not running:
        raise Conflict(f"case {case.case_number} has no running suspension to end")
    if len(running) > 1:
        ids = ", ".join(str(m.id) for m in running)
        raise InvalidInput(
            "suspension_id", f"several suspensions are running ({ids}); name the one that ends"
        )
    return running[0]


def record_measure(
    session: Session, *, case_id: int, user: User, measure: NewMeasure, expected_version: int | None = None
) -> Measure:
    """Record one measure on the case; the first one starts the team's work (triaged → in_progress)."""
    case = case_for_action(session, user, case_id, "record_measure", expected_version)
    kind = measure.kind
    if measure.on < case.filed_on:
        raise InvalidInput("on", f"{measure.on.isoformat()} is before the case was filed ({case.filed_on})")
    _check_signer(case=case, kind=kind, signed_by=measure.signed_by, user=user)
    respondent = _respondent(session, case=case, respondent_id=measure.respondent_id)
    if kind == MeasureKind.fine:
        _check_fine(measure.amount or Decimal(0), respondent)
    if kind == MeasureKind.settlement_performed and not has_settlement_agreement(
        session, case_id=case.id, by=measure.on
    ):
        # SPC enforcement-settlement rules 2018: only a recorded settlement agreement can be performed.
        raise Conflict(
            f"case {case.case_number} has no settlement agreement recorded by {measure.on.isoformat()}"
        )
    ended: Measure | None = None
    if kind == MeasureKind.suspension_end:
        ended = _open_suspension(session, case=case, suspension_id=measure.suspension_id)
        if measure.on < (ended.starts_on or ended.taken_on):
            raise InvalidInput(
                "on", f"suspension {ended.id} started on {ended.starts_on}; it cannot end earlier"
            )

    row = Measure(
        case_id=case.id,
        kind=kind,
        subtype=measure.subtype,
        taken_on=measure.on,
        served_on=measure.served_on,
        document_number=measure.document_number,
        signed_by_id=measure.signed_by,
        respondent_id=measure.respondent_id,
        amount=measure.amount,
        detention_days=measure.detention_days,
        starts_on=measure.starts_on,
        ends_on=measure.ends_on,
        suspension_id=ended.id if ended else None,
        result=measure.result,
        notes=measure.notes,
        recorded_by_id=user.id,
    )
    session.add(row)
    before = {"state": case.state, "paid_amount": case.paid_amount}
    if case.state == CaseState.triaged:
        case.state = CaseState.in_progress  # plan §5: the team has started work
    if kind == MeasureKind.payment_received:
        case.paid_amount = (case.paid_amount or Decimal("0.00")) + (measure.amount or Decimal(0))
    if ended is not None:
        ended.ended_on = measure.on
    session.flush()
    _emit_events(session, case=case, measure=row, ended=ended, user=user)
    after = {
        "kind": kind,
        "on": measure.on,
        "document_number": measure.document_number,
        "signed_by": measure.signed_by,
        "subtype": measure.subtype,
        "amount": measure.amount,
        "respondent_id": measure.respondent_id,
        "state": case.state,
        "paid_amount": case.paid_amount,
    }
    audit.record_for(session, user, row, "measure.record", before=before, after=after, reason=measure.notes)
    return row


def _emit_events(
    session: Session, *, case: Case, measure: Measure, ended: Measure | None, user: User
) -> None:
    if measure.kind in (MeasureKind.execution_notice, MeasureKind.property_report_order):
        # SPC interpretation of the CPL: notice and report order within 10 days of filing (D2).
        deadline_events.record_event_for(session, case, f"measure.{measure.kind}", on=measure.taken_on)
    elif measure.kind == MeasureKind.settlement_performed:
        # SPC dishonest-list rules art. 10(2): a performed settlement is a ground for deletion (D11).
        dishonest.trigger_active_listings(
            session,
            case=case,
            user=user,
            trigger=DeletionTrigger.settled,
            on=measure.taken_on,
            reason="settlement performed",
        )
    elif measure.kind == MeasureKind.suspension:
        # docs/rules.md#deadlines: clocks pause during deferral, suspension, public notice, appraisal/auction.
        deadline_events.record_event(
            session,
            event="suspension.started",
            on=measure.starts_on or measure.taken_on,
            case_id=case.id,
            subject_type="suspension",
            subject_id=measure.id,
            params={
                "kind": measure.subtype,
                "ends_on": measure.ends_on.isoformat() if measure.ends_on else None,
            },
        )
    elif ended is not None:
        deadline_events.record_event(
            session,
            event="suspension.ended",
            on=measure.taken_on,
            case_id=case.id,
            subject_type="suspension",
            subject_id=ended.id,
            params={"kind": ended.subtype},
        )


def list_measures(
    session: Session, *, case_id: int, user: User, kind: MeasureKind | None, limit: int, cursor: str | None
) -> tuple[list[Measure], str | None]:
    """The case's measures in the order recorded, for a caller who may see the case."""
    return case_records(session, Measure, case_id=case_id, user=user, limit=limit, cursor=cursor, kind=kind)


def get_measure(session: Session, *, case_id: int, measure_id: int, user: User) -> Measure:
    return _measure_of_case(session, case_id=case_id, measure_id=measure_id, user=user)


def _measure_of_case(
    session: Session, *, case_id: int, measure_id: int, user: User, for_update: bool = False
) -> Measure:
    """The measure of a case the caller may see (both locked, ``for_update``), or 404."""
    load_case(session, case_id, user, for_update=for_update)
    row = session.get(Measure, measure_id, with_for_update=for_update)
    if row is None or row.case_id != case_id:
        raise NotFound(f"measure {measure_id} not found on case {case_id}")
    return row


def measures_of(session: Session, case_id: int) -> list[Measure]:
    """Every measure in force on the case, oldest first (for the gates that read the case file)."""
    rows = session.scalars(select(Measure).where(Measure.case_id == case_id).order_by(Measure.id))
    return [row for row in rows if in_force(row)]


def has_settlement_agreement(session: Session, *, case_id: int, by: date) -> bool:
    """Whether a settlement agreement (执行和解协议) is recorded on the case, made on or before ``by``."""
    return any(
        m.kind == MeasureKind.settlement_agreement and m.taken_on <= by for m in measures_of(session, case_id)
    )


def review_measure(session: Session, *, case_id: int, measure_id: int, user: User) -> Measure:
    """The director's review (审核把关, plan §4) of a document the president approves; dated today."""
    row = _presidents_document(session, case_id=case_id, measure_id=measure_id, user=user)
    if row.reviewed_on is not None:
        raise Conflict(f"measure {row.id} was already reviewed on {row.reviewed_on}")
    row.reviewed_by_id, row.reviewed_on = user.id, court_today()
    return _decided(session, row=row, user=user, action="measure.review")


def approve_measure(session: Session, *, case_id: int, measure_id: int, user: User) -> Measure:
    """The president's approval and signature (CPL (2023) art. 119; SPC consumption-restriction rules
    art. 5), after the director's review; dated today. Only then does the measure count."""
    row = _presidents_document(session, case_id=case_id, measure_id=measure_id, user=user)
    if row.reviewed_on is None:
        raise Conflict(f"measure {row.id} awaits the director's review before the president approves it")
    if row.approved_on is not None:
        raise Conflict(f"measure {row.id} was already approved on {row.approved_on}")
    row.approved_by_id = row.signed_by_id = user.id
    row.approved_on = court_today()
    return _decided(session, row=row, user=user, action="measure.approve")


def _presidents_document(session: Session, *, case_id: int, measure_id: int, user: User) -> Measure:
    row = _measure_of_case(session, case_id=case_id, measure_id=measure_id, user=user, for_update=True)
    if not needs_president(row.kind):
        raise Conflict(f"a {row.kind} is not reviewed or approved by the leadership")
    return row


def _decided(session: Session, *, row: Measure, user: User, action: str) -> Measure:
    session.flush()
    audit.record_for(
        session,
        user,
        row,
        action,
        after={
            "reviewed_by": row.reviewed_by_id,
            "reviewed_on": row.reviewed_on,
            "approved_by": row.approved_by_id,
            "approved_on": row.approved_on,
        },
    )
    return row
