"""Triage (繁简分流): dry run, decision and allocation, and the fast group's hand-back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter

from app.deps import Authorized
from app.deps import SessionDep
from app.errors import Forbidden
from app.errors import NotFound
from app.errors import problem_responses
from app.models.user import User
from app.routing import Change
from app.routing import Listing
from app.routing import PlainCursor
from app.routing import add_routes
from app.rules.triage_rules import AssetFact
from app.rules.triage_rules import RuleOutcome
from app.schemas.triage import HandbackCommand
from app.schemas.triage import TriageCommand
from app.schemas.triage import TriageDecisionList
from app.schemas.triage import TriageDecisionRead
from app.schemas.triage import TriageEvaluateRequest
from app.schemas.triage import TriageEvaluation
from app.schemas.triage import TriageOutcome
from app.schemas.triage import TriageRuleRead
from app.services import triage
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["triage"])


def _rule_reads(outcomes: Iterable[RuleOutcome]) -> list[TriageRuleRead]:
    return [TriageRuleRead(id=outcome.id, explanation=outcome.explanation) for outcome in outcomes]


@router.post(
    "/triage/evaluate",
    operation_id="evaluate_triage",
    response_model=TriageEvaluation,
    responses=problem_responses(Forbidden, NotFound),
)
def evaluate_triage(
    body: TriageEvaluateRequest, session: SessionDep, user: Annotated[User, Authorized("triage.evaluate")]
) -> TriageEvaluation:
    """Dry run of the triage rules on a case payload (or a recorded case); changes nothing."""
    request = triage.DryRun(
        given=frozenset(body.model_fields_set),
        case_id=body.case_id,
        category=body.category,
        claim_amount=body.claim_amount,
        paid_amount=body.paid_amount,
        behaviour=body.behaviour,
        respondent_classes=(*body.respondent_classes, *(r.respondent_class for r in body.respondents)),
        property_clues_listed=len(body.property_clues),
        property_clue_count=body.property_clue_count,
        assets=tuple(AssetFact(a.kind, a.value, a.status, a.disposable) for a in body.assets),
        investigation_completed=body.investigation_completed,
        willing_to_perform=body.willing_to_perform,
        settlement_likely=body.settlement_likely,
        manual_simple_reason=body.manual_simple_reason,
    )
    result = triage.evaluate_request(session, user=user, request=request)
    return TriageEvaluation(
        track=result.track,
        rule_set_version=result.rule_set_version,
        rules=_rule_reads(result.rules),
        rules_not_fired=_rule_reads(result.not_fired),
    )


def _outcome(done: triage.Decision, user: User) -> TriageOutcome:
    return TriageOutcome.of(done.decision, case_version=done.case_version)


add_routes(
    router,
    response_model=TriageOutcome,
    read=_outcome,
    routes=[
        Change(
            "/cases/{case_id}/triage",
            "triage_case",
            COMMAND_POLICY["triage"],
            TriageCommand,
            triage.triage_case,
            "Decide simple or ordinary by the rules (or a reasoned override) and allocate the case.",
            version_field="case_version",
        ),
        Change(
            "/cases/{case_id}/handback",
            "hand_back_case",
            COMMAND_POLICY["handback"],
            HandbackCommand,
            triage.hand_back_case,
            "Hand a fast-track case back with a reason; it is re-allocated to a brigade.",
            version_field="case_version",
        ),
        Listing(
            "/cases/{case_id}/triage-decisions",
            "list_triage_decisions",
            "case.read_history",
            triage.list_decisions,
            "The case's triage decisions and hand-backs, oldest first.",
            page=TriageDecisionList,
            cursor=PlainCursor,
            schema=TriageDecisionRead,
        ),
    ],
)
