"""Triage (繁简分流) of registered cases, allocation, and the fast group's hand-back (plan §5–§3).

The rules themselves are the pure evaluator of :mod:`app.rules.triage_rules`; this module builds
its facts from a recorded case (or a payload, for the dry run), records the decision with its
inputs, rule-set version, decider and any override, and allocates the case.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import Behaviour
from app.enums import CaseState
from app.enums import Category
from app.enums import PartyRole
from app.enums import RespondentClass
from app.enums import Track
from app.errors import InvalidInput
from app.models.case import Asset
from app.models.case import Case
from app.models.case import Party
from app.models.case import PropertyClue
from app.models.triage_decision import TriageDecision
from app.models.user import User
from app.rules.triage_rules import AssetFact
from app.rules.triage_rules import RuleOutcome
from app.rules.triage_rules import RuleSet
from app.rules.triage_rules import TriageFacts
from app.rules.triage_rules import TriageResult
from app.rules.triage_rules import evaluate
from app.services import audit
from app.services import dishonest
from app.services import disposal
from app.services.allocation import Allocation
from app.services.allocation import allocate
from app.services.allocation import allocate_brigade
from app.services.case_access import case_for_action
from app.services.case_access import load_case
from app.services.case_queries import case_records
from app.settings import get_settings

TRIAGE = "triage"
HANDBACK = "handback"


@dataclass(frozen=True, slots=True)
class DryRun:
    """What the dry run is asked about: a recorded case (``case_id``), or facts shaped like a filing."""

    given: frozenset[str]  # the names of the fields the caller sent
    case_id: int | None = None
    category: Category | None = None
    claim_amount: Decimal | None = None
    paid_amount: Decimal | None = None
    behaviour: Behaviour | None = None
    respondent_classes: tuple[RespondentClass, ...] = ()
    property_clues_listed: int = 0
    property_clue_count: int | None = None
    assets: tuple[AssetFact, ...] = ()
    investigation_completed: bool = False
    willing_to_perform: bool = False
    settlement_likely: bool = False
    manual_simple_reason: str | None = None


@dataclass(frozen=True)
class Decision:
    decision: TriageDecision
    case_version: int


def current_rule_set() -> RuleSet:
    """The rule set in force, with the court's configured version and thresholds (docs/rules.md#triage)."""
    settings = get_settings()
    return RuleSet(version=settings.triage_rule_set_version, small_claim_limit=settings.small_claim_limit)


def facts_of_case(session: Session, case: Case) -> TriageFacts:
    """What was filed and found for a recorded case, as the evaluator's plain facts."""
    classes = session.scalars(
        select(Party.respondent_class)
        .where(
            Party.case_id == case.id, Party.role == PartyRole.respondent, Party.respondent_class.is_not(None)
        )
        .order_by(Party.id)
    )
    clue_count = session.scalar(
        select(func.count()).select_from(PropertyClue).where(PropertyClue.case_id == case.id)
    )
    assets = session.scalars(select(Asset).where(Asset.case_id == case.id).order_by(Asset.id))
    return TriageFacts(
        category=case.category,
        claim_amount=case.claim_amount,
        paid_amount=case.paid_amount,
        behaviour=case.behaviour,
        respondent_classes=tuple(c for c in classes if c is not None),
        property_clue_count=clue_count or 0,
        assets=tuple(AssetFact(a.kind, a.value, a.status, a.disposable) for a in assets),
        investigation_completed=case.investigation_completed,
        willing_to_perform=case.willing_to_perform,
        settlement_likely=case.settlement_likely,
    )


def evaluate_request(session: Session, *, user: User, request: DryRun) -> TriageResult:
    """Dry run: the track and every rule that fires, for a payload or a recorded case; changes nothing."""
    if request.case_id is not None:
        given = request.given - {"case_id", "manual_simple_reason"}
        if given:
            raise InvalidInput(
                "case_id", f"give either case_id or the facts, not both ({', '.join(sorted(given))})"
            )
        facts = facts_of_case(session, load_case(session, request.case_id, user))
    else:
        facts = _facts_of_request(request)
    if request.manual_simple_reason:
        facts = dataclasses.replace(facts, manual_simple_reason=request.manual_simple_reason)
    return evaluate(facts, current_rule_set())


def _facts_of_request(request: DryRun) -> TriageFacts:
    if request.category is None:
        raise InvalidInput("category", "required unless case_id is given")
    # docs/rules.md#triage: only a purely behavioural case has no monetary claim.
    if request.claim_amount is None and request.behaviour is None:
        raise InvalidInput("claim_amount", "required unless the case is behavioural (set behaviour)")
    if request.property_clue_count is not None and request.property_clues_listed:
        raise InvalidInput("property_clue_count", "give property_clues or property_clue_count, not both")
    return TriageFacts(
        category=request.category,
        claim_amount=request.claim_amount,
        paid_amount=request.paid_amount or Decimal("0.00"),
        behaviour=request.behaviour,
        respondent_classes=request.respondent_classes,
        property_clue_count=(
            request.property_clue_count
            if request.property_clue_count is not None
            else request.property_clues_listed
        ),
        assets=request.assets,
        investigation_completed=request.investigation_completed,
        willing_to_perform=request.willing_to_perform,
        settlement_likely=request.settlement_likely,
    )


def triage_case(
    session: Session,
    *,
    case_id: int,
    user: User,
    override_track: Track | None,
    reason: str | None,
    expected_version: int | None = None,
) -> Decision:
    """registered → triaged: evaluate the rules, apply any override, allocate, record the decision."""
    case = case_for_action(session, user, case_id, "triage", expected_version)
    reason = _clean(reason)
    # Plan §5(2)6 and plan §5: a manual decision is recorded with its written reason.
    if override_track is not None and reason is None:
        raise InvalidInput("reason", f"a written reason is required to set the track to {override_track}")
    facts = facts_of_case(session, case)
    if override_track == Track.simple:
        facts = dataclasses.replace(facts, manual_simple_reason=reason)  # rule T10
    result = evaluate(facts, current_rule_set())
    track = override_track or result.track
    allocation = allocate(session, track=track)
    return _decide(
        session,
        case=case,
        user=user,
        kind=TRIAGE,
        facts=facts,
        result=result,
        track=track,
        override_track=override_track,
        reason=reason,
        allocation=allocation,
    )


def hand_back_case(
    session: Session, *, case_id: int, user: User, reason: str, expected_version: int | None = None
) -> Decision:
    """The fast group returns a case that proved complex; it is re-allocated to a brigade at once."""
    case = case_for_action(session, user, case_id, "handback", expected_version)
    cleaned = _clean(reason)
    if cleaned is None:
        raise InvalidInput("reason", "a written reason is required to hand a case back")
    facts = facts_of_case(session, case)
    result = evaluate(facts, current_rule_set())
    # plan §5: a fast-track case that turns out complex is re-allocated to a brigade.
    allocation = allocate_brigade(session)
    return _decide(
        session,
        case=case,
        user=user,
        kind=HANDBACK,
        facts=facts,
        result=result,
        track=Track.ordinary,
        override_track=Track.ordinary,
        reason=cleaned,
        allocation=allocation,
    )


def list_decisions(
    session: Session, *, case_id: int, user: User, limit: int, cursor: str | None
) -> tuple[list[TriageDecision], str | None]:
    """The case's triage decisions and hand-backs, oldest first."""
    return case_records(session, TriageDecision, case_id=case_id, user=user, limit=limit, cursor=cursor)


def _decide(
    session: Session,
    *,
    case: Case,
    user: User,
    kind: str,
    facts: TriageFacts,
    result: TriageResult,
    track: Track,
    override_track: Track | None,
    reason: str | None,
    allocation: Allocation,
) -> Decision:
    before = _placement(case)
    if case.unit_code is not None and (case.unit_code, case.handler_id) != (
        allocation.unit_code,
        allocation.handler_id,
    ):
        # Plan §5(4): a request speaks for the team that made it; when the case changes hands its
        # pending requests lapse and the new team decides afresh.
        lapse = f"case reallocated from {case.unit_code} to {allocation.unit_code}"
        disposal.withdraw_pending(session, case=case, user=user, reason=lapse)
        dishonest.withdraw_proposed(session, case=case, user=user, reason=lapse)
    case.state = CaseState.triaged
    case.track = track
    case.unit_code = allocation.unit_code
    case.handler_id = allocation.handler_id
    decision = TriageDecision(
        case_id=case.id,
        kind=kind,
        track=track,
        rules=_rules_as_json(result.rules),
        rules_not_fired=_rules_as_json(result.not_fired),
        rule_set_version=result.rule_set_version,
        inputs=facts_as_json(facts),
        override_track=override_track,
        reason=reason,
        unit_code=allocation.unit_code,
        handler_id=allocation.handler_id,
        allocation_reason=allocation.reason,
        decided_by_id=user.id,
    )
    session.add(decision)
    session.flush()
    audit.record_for(
        session,
        user,
        case,
        f"case.{kind}",
        before=before,
        after=_placement(case)
        | {
            "rules": [r.id for r in result.rules],
            "rule_set_version": result.rule_set_version,
            "override_track": override_track,
            "allocation_reason": allocation.reason,
            "triage_decision_id": decision.id,
        },
        reason=reason,
    )
    return Decision(decision, case.version)


def facts_as_json(facts: TriageFacts) -> dict[str, Any]:
    """The evaluator's inputs as stored with a decision (money as decimal strings)."""
    return {
        "category": str(facts.category),
        "claim_amount": _money(facts.claim_amount),
        "paid_amount": _money(facts.paid_amount),
        "behaviour": str(facts.behaviour) if facts.behaviour else None,
        "respondent_classes": [str(c) for c in facts.respondent_classes],
        "property_clue_count": facts.property_clue_count,
        "assets": [
            {
                "kind": str(a.kind),
                "value": _money(a.value),
                "status": str(a.status),
                "disposable": a.disposable,
            }
            for a in facts.assets
        ],
        "investigation_completed": facts.investigation_completed,
        "willing_to_perform": facts.willing_to_perform,
        "settlement_likely": facts.settlement_likely,
        "manual_simple_reason": facts.manual_simple_reason,
    }


def _rules_as_json(rules: tuple[RuleOutcome, ...]) -> list[dict[str, Any]]:
    return [{"id": rule.id, "explanation": rule.explanation} for rule in rules]


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def _clean(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _placement(case: Case) -> dict[str, Any]:
    return {"state": case.state, "track": case.track, "unit": case.unit_code, "handler_id": case.handler_id}
