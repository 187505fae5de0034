"""The dishonest-respondent list (失信被执行人名单) and its link to the consumption ban (SPC
dishonest-list rules).

The handling judge proposes, the director decides (plan §4); a listing needs a consumption ban on
the case, runs for its term, and is deleted within 3 working days of payment, settlement or the end
of the term (D11, SPC dishonest-list rules art. 10).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import ClosureMode
from app.enums import Decision
from app.enums import DeletionTrigger
from app.enums import DishonestGround
from app.enums import DishonestListingState
from app.enums import MeasureKind
from app.enums import PartyRole
from app.errors import Conflict
from app.errors import GateNotMet
from app.errors import InvalidInput
from app.models.case import Case
from app.models.case import Party
from app.models.dishonest_listing import DishonestListing
from app.models.measure import Measure
from app.models.user import User
from app.rules.termination_gate import months_after
from app.services import termination_pool
from app.services.case_access import case_for_action
from app.services.case_access import case_step
from app.services.case_access import visible_cases
from app.services.workflow import Change
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import fields_of
from app.services.workflow import legal_date_or_today
from app.services.workflow import record_decision
from app.settings import get_settings

L = DishonestListingState
# Which commands each listing state admits.
LISTING_ACTIONS: dict[DishonestListingState, tuple[str, ...]] = {
    L.proposed: ("decide",),
    L.refused: (),
    L.active: ("trigger_deletion",),
    L.deletion_pending: ("delete",),
    L.deleted: (),
    L.withdrawn: (),
}
OPEN_STATES = (L.proposed, L.active, L.deletion_pending)
# SPC dishonest-list rules art. 10: closing the case this way is itself a ground for deletion.
# A settled closing triggers deletion only once the settlement is recorded as performed (art. 10(2)); a
# withdrawal ends enforcement like a ruling terminating it (art. 10(5), CPL (2023) art. 268(1)).
CLOSURE_TRIGGERS: dict[ClosureMode, DeletionTrigger] = {
    ClosureMode.performed: DeletionTrigger.paid,
    ClosureMode.settled: DeletionTrigger.settled,
    ClosureMode.terminated: DeletionTrigger.enforcement_ended,
    ClosureMode.not_enforced: DeletionTrigger.enforcement_ended,
    ClosureMode.withdrawn: DeletionTrigger.enforcement_ended,
}


def _own_proposal(user: User, listing: DishonestListing) -> str | None:
    # Plan §4: the director approves what the judge proposes; nobody decides their own proposal.
    if listing.proposed_by_id == user.id:
        return "you proposed this listing; another person must decide it"
    return None


# The director decides (plan §4) while the case's state admits it. Deletion follows the listing, not
# the case: it must still happen after the case has closed (SPC dishonest-list rules art. 10), so the
# case's state does not gate it; the handling judge records the ground, the team the deletion.
STEPS: dict[str, Step[DishonestListing]] = {
    "decide": case_step("decide_dishonest", refused=_own_proposal),
    "trigger_deletion": Step(permission="dishonest.trigger_deletion", on=lambda listing: listing.case),
    "delete": Step(permission="dishonest.delete", on=lambda listing: listing.case),
}

LISTINGS = Workflow(
    model=DishonestListing,
    entity="dishonest_listing",
    state_actions=LISTING_ACTIONS,
    steps=STEPS,
    visible=lambda stmt, user: visible_cases(stmt, user, DishonestListing.case_id),
    case=DishonestListing.case,
    locks_case=True,
    action_prefix="dishonest",
    id_name="listing_id",
    snapshot=fields_of("state"),
    withdrawn=L.withdrawn,
    filters={"case_id": DishonestListing.case_id, "state": DishonestListing.state},
)


def propose_listing(
    session: Session,
    *,
    case_id: int,
    user: User,
    respondent_id: int,
    ground: DishonestGround,
    facts: str,
    proposed_on: date | None,
) -> DishonestListing:
    """The handling judge proposes a respondent for the list (state ``proposed``)."""
    case = case_for_action(session, user, case_id, "propose_dishonest")
    proposed_on = legal_date_or_today(
        "proposed_on", proposed_on, not_before=case.filed_on, not_before_what="the filing date"
    )
    party = session.get(Party, respondent_id)
    if party is None or party.case_id != case.id or party.role != PartyRole.respondent:
        raise InvalidInput(
            "respondent_id", f"party {respondent_id} is not a respondent of case {case.case_number}"
        )
    open_listing = (
        session.execute(
            select(DishonestListing).where(
                DishonestListing.case_id == case.id,
                DishonestListing.respondent_id == respondent_id,
                DishonestListing.state.in_(OPEN_STATES),
            )
        )
        .scalars()
        .first()
    )
    if open_listing is not None:
        raise Conflict(
            f"{party.name} already has listing {open_listing.id} ({open_listing.state})",
            listing_id=open_listing.id,
        )
    listing = DishonestListing(
        case=case,
        respondent_id=respondent_id,
        ground=ground,
        facts=facts,
        state=L.proposed,
        proposed_by_id=user.id,
        proposed_on=proposed_on,
    )
    session.add(listing)
    session.flush()
    LISTINGS.audit(
        session,
        user=user,
        record=listing,
        action="propose",
        after=fields_of("respondent_id", "ground", "state", "proposed_on")(listing),
        reason=facts,
    )
    return listing


def _consumption_ban(session: Session, *, listing: DishonestListing, by: date) -> Measure | None:
    # A ban on the case as a whole, or on this respondent, issued by the day of the decision.
    return session.execute(
        select(Measure)
        .where(
            Measure.case_id == listing.case_id,
            Measure.kind == MeasureKind.consumption_ban,
            Measure.taken_on <= by,
            # SPC consumption-restriction rules art. 5: in force once the president has approved it.
            Measure.approved_on.is_not(None),
            Measure.respondent_id.is_(None) | (Measure.respondent_id == listing.respondent_id),
        )
        .limit(1)
    ).scalar_one_or_none()


@LISTINGS.command("decide")
def decide_listing(
    change: Change[DishonestListing],
    *,
    decision: Decision,
    decided_on: date | None,
    reason: str | None,
    extra_years: int,
) -> DishonestListing:
    """The director approves (the listing runs for its term) or refuses with a reason."""
    session, user, listing = change.session, change.user, change.record
    case = listing.case
    decided_on = record_decision(
        listing,
        user=user,
        decided_on=decided_on,
        reason=reason,
        requested_on=listing.proposed_on,
        requested_what="the proposal",
    )
    if decision == Decision.approve:
        # SPC dishonest-list and consumption-restriction rules: a listing comes with a consumption ban.
        if _consumption_ban(session, listing=listing, by=decided_on) is None:
            raise GateNotMet(
                f"case {case.case_number} has no consumption ban on this respondent; record a "
                "consumption_ban measure first",
                missing=["consumption_ban"],
            )
        _set_term(listing, decided_on=decided_on, extra_years=extra_years)
        listing.state = L.active
    else:
        listing.state = L.refused
    return change.save(
        str(decision),
        reason=reason,
        decided_on=decided_on,
        term_years=listing.term_years,
        term_ends_on=listing.term_ends_on,
    )


def _set_term(listing: DishonestListing, *, decided_on: date, extra_years: int) -> None:
    settings = get_settings()
    if listing.ground in settings.dishonest_untermed_grounds:
        # SPC dishonest-list rules art. 2: no fixed term for a respondent able to pay who refuses.
        if extra_years:
            raise InvalidInput("extra_years", f"a listing on the ground {listing.ground} has no fixed term")
        listing.term_years, listing.term_ends_on = None, None
        return
    # SPC dishonest-list rules art. 2: 2 years, extended by 1–3 years in serious cases.
    if extra_years > settings.dishonest_extra_years_max:
        raise InvalidInput("extra_years", f"at most {settings.dishonest_extra_years_max} extra years")
    listing.extra_years = extra_years
    listing.term_years = settings.dishonest_term_years + extra_years
    listing.term_ends_on = months_after(decided_on, 12 * listing.term_years)


@LISTINGS.command("trigger_deletion")
def trigger_deletion(
    change: Change[DishonestListing],
    *,
    trigger: DeletionTrigger,
    triggered_on: date | None,
    reason: str | None,
) -> DishonestListing:
    """A ground for deletion occurred; the listing must be deleted within 3 working days (D11)."""
    session, user, listing = change.session, change.user, change.record
    case = listing.case
    triggered_on = legal_date_or_today(
        "triggered_on", triggered_on, not_before=listing.decided_on, not_before_what="the listing"
    )
    if trigger == DeletionTrigger.term_ended:
        if listing.term_ends_on is None:
            raise InvalidInput(
                "trigger", f"a listing on the ground {listing.ground} has no fixed term to end"
            )
        if triggered_on < listing.term_ends_on:
            raise InvalidInput("triggered_on", f"the term runs until {listing.term_ends_on.isoformat()}")
    if (
        trigger == DeletionTrigger.settled
        and settlement_performed_on(session, case.id, by=triggered_on) is None
    ):
        # SPC dishonest-list rules art. 10(2): a settlement performed, not merely signed.
        raise GateNotMet(
            f"case {case.case_number} has no settlement recorded as performed by {triggered_on.isoformat()}",
            missing=["settlement_performed"],
        )
    if trigger == DeletionTrigger.pool_rechecks_empty and not termination_pool.rechecks_found_nothing(
        session, case.id
    ):
        # SPC dishonest-list rules art. 10(4): only after the pool's re-checks in a row found nothing.
        raise GateNotMet(
            f"case {case.case_number} has no run of empty 终本 re-checks", missing=["pool_rechecks_empty"]
        )
    _trigger(session, listing=listing, user=user, trigger=trigger, on=triggered_on, reason=reason)
    return listing


def settlement_performed_on(session: Session, case_id: int, *, by: date) -> date | None:
    """The date the case's settlement was recorded as performed, on or before ``by``."""
    return session.scalar(
        select(Measure.taken_on)
        .where(
            Measure.case_id == case_id,
            Measure.kind == MeasureKind.settlement_performed,
            Measure.taken_on <= by,
        )
        .order_by(Measure.taken_on)
        .limit(1)
    )


def trigger_active_listings(
    session: Session, *, case: Case, user: User | None, trigger: DeletionTrigger, on: date, reason: str
) -> list[int]:
    """Every active listing of the case triggered for deletion (D11); their ids."""
    listings = session.scalars(
        select(DishonestListing)
        .where(DishonestListing.case_id == case.id, DishonestListing.state == L.active)
        .order_by(DishonestListing.id)
        .with_for_update()
    )
    triggered = []
    for listing in listings:
        _trigger(session, listing=listing, user=user, trigger=trigger, on=on, reason=reason)
        triggered.append(listing.id)
    return triggered


def trigger_ended_terms(session: Session, *, today: date) -> list[int]:
    """Listings whose fixed term has ended, triggered for deletion on the term's end (by the sweep)."""
    # SPC dishonest-list rules art. 10: the listing's term ended, so it is deleted within 3 working days.
    listings = session.scalars(
        select(DishonestListing)
        .where(
            DishonestListing.state == L.active,
            DishonestListing.term_ends_on.is_not(None),
            DishonestListing.term_ends_on <= today,
        )
        .order_by(DishonestListing.id)
        .with_for_update(skip_locked=True)
    )
    triggered = []
    for listing in listings:
        assert listing.term_ends_on is not None
        _trigger(
            session,
            listing=listing,
            user=None,
            trigger=DeletionTrigger.term_ended,
            on=listing.term_ends_on,
            reason="term ended",
        )
        triggered.append(listing.id)
    return triggered


def _trigger(
    session: Session,
    *,
    listing: DishonestListing,
    user: User | None,
    trigger: DeletionTrigger,
    on: date,
    reason: str | None,
) -> None:
    listing.state = L.deletion_pending
    listing.deletion_trigger, listing.deletion_triggered_on = trigger, on
    listing.deletion_triggered_by_id = None if user is None else user.id
    session.flush()
    # SPC dishonest-list rules art. 10: deleted within 3 working days (D11).
    LISTINGS.clock(session, listing, "dishonest.deletion_triggered", on=on, trigger=trigger.value)
    LISTINGS.audit(
        session,
        user=user,
        record=listing,
        action="deletion_trigger",
        before={"state": L.active},
        after={"state": listing.state, "trigger": trigger, "triggered_on": on},
        reason=reason,
    )


@LISTINGS.command("delete")
def delete_listing(
    change: Change[DishonestListing], *, deleted_on: date | None, note: str | None
) -> DishonestListing:
    """Record that the listing was deleted from the list (meets D11)."""
    session, user, listing = change.session, change.user, change.record
    deleted_on = legal_date_or_today(
        "deleted_on",
        deleted_on,
        not_before=listing.deletion_triggered_on,
        not_before_what="the deletion trigger",
    )
    listing.state, listing.deleted_on, listing.deleted_by_id = L.deleted, deleted_on, user.id
    listing.note = note
    session.flush()
    LISTINGS.clock(session, listing, "dishonest.deleted", on=deleted_on)
    LISTINGS.audit(
        session,
        user=user,
        record=listing,
        action="delete",
        before={"state": L.deletion_pending},
        after={"state": listing.state, "deleted_on": deleted_on},
        reason=note,
    )
    return listing


def on_case_closed(
    session: Session, *, case: Case, user: User, mode: ClosureMode, closed_on: date
) -> list[int]:
    """Closing the case: pending proposals lapse; active listings are triggered for deletion where the
    mode is a ground (performed, settled, terminated, not enforced). Returns the triggered listings."""
    listings = list(
        session.scalars(
            select(DishonestListing)
            .where(DishonestListing.case_id == case.id, DishonestListing.state.in_([L.proposed, L.active]))
            .order_by(DishonestListing.id)
        )
    )
    triggered: list[int] = []
    trigger = CLOSURE_TRIGGERS.get(mode)
    if trigger == DeletionTrigger.settled and settlement_performed_on(session, case.id, by=closed_on) is None:
        trigger = None  # SPC dishonest-list rules art. 10(2): deleted once the settlement is performed
    for listing in listings:
        if listing.state == L.proposed:
            LISTINGS.withdraw(session, user=user, record=listing, reason=f"case closed ({mode})")
        elif trigger is not None:
            _trigger(
                session,
                listing=listing,
                user=user,
                trigger=trigger,
                on=closed_on,
                reason=f"case closed ({mode})",
            )
            triggered.append(listing.id)
    session.flush()
    return triggered


def withdraw_proposed(session: Session, *, case: Case, user: User, reason: str) -> list[int]:
    """Proposals still awaiting the director's decision lapse (the case closed or changed hands)."""
    proposed = list(
        session.scalars(
            select(DishonestListing)
            .where(DishonestListing.case_id == case.id, DishonestListing.state == L.proposed)
            .order_by(DishonestListing.id)
        )
    )
    for listing in proposed:
        LISTINGS.withdraw(session, user=user, record=listing, reason=reason)
    session.flush()
    return [listing.id for listing in proposed]


def listings_of(session: Session, case_id: int) -> list[DishonestListing]:
    return list(
        session.scalars(
            select(DishonestListing).where(DishonestListing.case_id == case_id).order_by(DishonestListing.id)
        )
    )
