"""Closing a case (结案, plan §5; plan §5(3), §5(5)).

The handling judge closes with a mode. 终本 (terminating the current procedure) must pass the gate
of docs/rules.md#gate and puts the case in the 终本 pool; a settled closing rests on a settlement
agreement. Closing lapses undecided disposal requests and listing proposals and, where the mode is
a ground for it, starts the deletion of the respondent's dishonest listings. A closed case is
read-only: only restoration (恢复执行) acts on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import CaseState
from app.enums import ClosureMode
from app.enums import DishonestGround
from app.enums import DishonestListingState
from app.errors import GateNotMet
from app.errors import NotFound
from app.models.case import Case
from app.models.case import PropertyClue
from app.models.case_closure import CaseClosure
from app.models.refusal_referral import RefusalReferral
from app.models.termination_pool_entry import TerminationPoolEntry
from app.models.user import User
from app.rules.termination_gate import RecordedStep
from app.rules.termination_gate import TerminationFacts
from app.rules.termination_gate import evidence_for_termination
from app.rules.termination_gate import missing_for_termination
from app.services import assets
from app.services import audit
from app.services import deadline_events
from app.services import dishonest
from app.services import disposal
from app.services import ledger
from app.services import termination_pool
from app.services.case_access import case_for_action
from app.services.case_access import load_case
from app.services.measures import has_settlement_agreement
from app.services.measures import measures_of
from app.services.workflow import legal_date_or_today
from app.settings import get_settings

# Closing by ruling (裁定): 终本, 终结执行, 驳回申请, 不予执行 carry the ruling's number.
RULING_MODES = frozenset(
    {ClosureMode.terminated_current, ClosureMode.terminated, ClosureMode.rejected, ClosureMode.not_enforced}
)
_LISTED = (
    DishonestListingState.active,
    DishonestListingState.deletion_pending,
    DishonestListingState.deleted,
)
_DECIDED = (DishonestListingState.refused, *_LISTED)


@dataclass(frozen=True)
class ClosureOutcome:
    case: Case
    closure: CaseClosure
    pool_entry: TerminationPoolEntry | None
    dishonest_deletions_triggered: list[int]
    disposal_requests_withdrawn: list[int]


def termination_facts(session: Session, *, case: Case, closed_on: date) -> TerminationFacts:
    """What the case file shows for the 终本 gate on ``closed_on``."""
    steps = tuple(
        RecordedStep(kind=m.kind, on=m.taken_on, subtype=m.subtype, id=m.id)
        for m in measures_of(session, case.id)
    )
    referrals_on = tuple(
        session.scalars(select(RefusalReferral.submitted_on).where(RefusalReferral.case_id == case.id))
    )
    listings = dishonest.listings_of(session, case.id)
    return TerminationFacts(
        filed_on=case.filed_on,
        closed_on=closed_on,
        steps=steps,
        referrals_on=referrals_on,
        applicant_gave_clues=session.scalar(
            select(PropertyClue.id).where(PropertyClue.case_id == case.id).limit(1)
        )
        is not None,
        obstruction_listed=any(
            x.ground == DishonestGround.obstructs and x.state in _LISTED for x in listings
        ),
        dishonest_pending=any(x.state == DishonestListingState.proposed for x in listings),
        dishonest_decided=any(x.state in _DECIDED for x in listings),
    )


def close_case(
    session: Session,
    *,
    case_id: int,
    user: User,
    mode: ClosureMode,
    closed_on: date | None,
    document_number: str | None,
    reason: str | None,
    expected_version: int | None = None,
) -> ClosureOutcome:
    """Close the case with ``mode``; 409 naming every missing condition when a 终本 is premature."""
    case = case_for_action(session, user, case_id, "close", expected_version)
    closed_on = legal_date_or_today(
        "closed_on", closed_on, not_before=case.filed_on, not_before_what="the filing date"
    )
    evidence: dict[str, list[int]] | None = None
    if mode == ClosureMode.terminated_current:
        # SPC 终本 rules 2016 art. 1: every condition holds, or the case is not closed as 终本.
        facts = termination_facts(session, case=case, closed_on=closed_on)
        missing = missing_for_termination(facts, min_months=get_settings().d4_termination_min_months)
        if missing:
            raise GateNotMet(
                f"case {case.case_number} cannot be closed as 终本 on {closed_on.isoformat()}; "
                f"missing: {', '.join(missing)}",
                missing=missing,
            )
        evidence = evidence_for_termination(facts)
    elif mode == ClosureMode.settled and not has_settlement_agreement(session, case_id=case.id, by=closed_on):
        # SPC enforcement-settlement rules 2018: a settled closing rests on a settlement agreement.
        raise GateNotMet(
            f"case {case.case_number} has no settlement agreement recorded; record a "
            "settlement_agreement measure first",
            missing=["settlement_agreement"],
        )
    if mode in get_settings().closure_modes_needing_release:
        held = assets.assets_still_controlled(session, case.id)
        if held:
            # SPC provisions on seizure, sealing and freezing (2020) art. 28: released before closing.
            raise GateNotMet(
                f"case {case.case_number} cannot be closed as {mode} while assets "
                f"{', '.join(map(str, held))} are still frozen, sealed or seized; release them first",
                missing=[f"asset_released:{asset_id}" for asset_id in held],
            )
    balance, waiting = ledger.money_held(session, case=case)
    if balance > 0 or waiting:
        # SPC provisions on enforcement money (2017): the money of a case is paid out (or its payout
        # decided) before the case is closed; the account does not keep money for a closed case.
        pending = f" and payouts {', '.join(map(str, waiting))} await approval or payment" if waiting else ""
        raise GateNotMet(
            f"case {case.case_number} cannot be closed while its account holds {balance} yuan{pending}; "
            "pay its money out first",
            missing=["case_money_paid_out"],
        )
    if mode in RULING_MODES and document_number is None:
        # SPC case-number rules 2015: a ruling in an enforcement case bears the case's number.
        document_number = case.case_number

    before = {"state": case.state}
    case.state, case.closure_mode, case.closed_on = CaseState.closed, mode, closed_on
    closing = {
        "mode": mode,
        "closed_on": closed_on,
        "document_number": document_number,
        "gate_evidence": evidence,
    }
    closure = CaseClosure(case_id=case.id, **closing, reason=reason, closed_by_id=user.id)
    session.add(closure)
    session.flush()
    lapse_reason = f"case closed ({mode})"
    withdrawn = disposal.withdraw_pending(session, case=case, user=user, reason=lapse_reason)
    triggered = dishonest.on_case_closed(session, case=case, user=user, mode=mode, closed_on=closed_on)
    pool_entry = (
        termination_pool.enter(session, case=case, entered_on=closed_on)
        if mode == ClosureMode.terminated_current
        else None
    )
    # SPC time-limit rules: closing meets the case's time limit (D3).
    deadline_events.record_event_for(session, case, "case.closed", on=closed_on, params={"mode": mode.value})
    after = {
        "state": case.state,
        **closing,
        "dishonest_deletions_triggered": triggered,
        "disposal_requests_withdrawn": withdrawn,
        "termination_pool_until": pool_entry.ends_on if pool_entry else None,
    }
    audit.record_for(session, user, case, "case.close", before=before, after=after, reason=reason)
    return ClosureOutcome(
        case=case,
        closure=closure,
        pool_entry=pool_entry,
        dishonest_deletions_triggered=triggered,
        disposal_requests_withdrawn=withdrawn,
    )


def get_closure(session: Session, *, case_id: int, user: User) -> ClosureOutcome:
    """How a visible case was closed; 404 while it is open."""
    case = load_case(session, case_id, user)
    closure = session.execute(select(CaseClosure).where(CaseClosure.case_id == case.id)).scalar_one_or_none()
    if closure is None:
        raise NotFound(f"case {case.case_number} is not closed")
    entry = termination_pool.entry_for_case(session, case.id)
    return ClosureOutcome(
        case=case,
        closure=closure,
        pool_entry=entry,
        dishonest_deletions_triggered=[],
        disposal_requests_withdrawn=[],
    )
