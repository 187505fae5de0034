"""Triage (繁简分流): dry run, decision and allocation, and the fast group's hand-back."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Query, Response

from app.deps import Authorized, ExpectedVersion, SessionDep
from app.errors import Forbidden, NotFound, PreconditionFailed, TransitionNotAllowed, problem_responses
from app.models.user import User
from app.rules.triage_rules import AssetFact, RuleOutcome
from app.schemas.common import Limit, RowId
from app.schemas.triage import (
    HandbackCommand,
    TriageCommand,
    TriageDecisionList,
    TriageDecisionRead,
    TriageEvaluateRequest,
    TriageEvaluation,
    TriageOutcome,
    TriageRuleRead,
)
from app.services import triage
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["triage"])

_COMMAND_PROBLEMS = problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)


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


@router.post(
    "/cases/{case_id}/triage",
    operation_id="triage_case",
    response_model=TriageOutcome,
    responses=_COMMAND_PROBLEMS,
)
def triage_case(
    case_id: RowId,
    body: TriageCommand,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["triage"])],
    response: Response,
    expected_version: ExpectedVersion = None,
) -> TriageOutcome:
    """Decide simple or ordinary by the rules (or a reasoned override) and allocate the case."""
    done = triage.triage_case(
        session,
        case_id=case_id,
        user=user,
        override_track=body.override_track,
        reason=body.reason,
        expected_version=expected_version,
    )
    response.headers["ETag"] = f'"{done.case_version}"'
    return TriageOutcome.of(done.decision, case_version=done.case_version)


@router.post(
    "/cases/{case_id}/handback",
    operation_id="hand_back_case",
    response_model=TriageOutcome,
    responses=_COMMAND_PROBLEMS,
)
def hand_back_case(
    case_id: RowId,
    body: HandbackCommand,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["handback"])],
    response: Response,
    expected_version: ExpectedVersion = None,
) -> TriageOutcome:
    """Hand a fast-track case back with a reason; it is re-allocated to a brigade."""
    done = triage.hand_back_case(
        session, case_id=case_id, user=user, reason=body.reason, expected_version=expected_version
    )
    response.headers["ETag"] = f'"{done.case_version}"'
    return TriageOutcome.of(done.decision, case_version=done.case_version)


@router.get(
    "/cases/{case_id}/triage-decisions",
    operation_id="list_triage_decisions",
    response_model=TriageDecisionList,
    responses=problem_responses(Forbidden, NotFound),
)
def list_triage_decisions(
    case_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("case.read_history")],
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> TriageDecisionList:
    """The case's triage decisions and hand-backs, oldest first."""
    rows, next_cursor = triage.list_decisions(session, case_id=case_id, user=user, limit=limit, cursor=cursor)
    return TriageDecisionList(
        items=[TriageDecisionRead.model_validate(d) for d in rows], next_cursor=next_cursor
    )
