"""Refusal-to-execute referrals (拒执, plan §5(6), plan §5(6)): the handling team hands over its
materials; the comprehensive group checks them against the court's checklist, returns incomplete
ones naming what is missing, hands complete ones to the criminal division and, where needed, the
police, and follows each to its outcome. A central register counts them by stage, team and outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import ReferralOutcome
from app.enums import ReferralReviewResult
from app.enums import ReferralStage
from app.errors import Conflict
from app.errors import GateNotMet
from app.errors import InvalidInput
from app.models.refusal_referral import RefusalReferral
from app.models.refusal_referral import RefusalReferralMaterial
from app.models.user import User
from app.policy import sees_all_cases
from app.services.case_access import case_for_action
from app.services.workflow import Change
from app.services.workflow import SelectT
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import check_legal_date
from app.services.workflow import fields_of
from app.services.workflow import legal_date_or_today
from app.services.workflow import where_given
from app.settings import get_settings

# Plan §5(6): submitted → reviewed (returned ⇄ supplemented, or complete) → criminal division →
# public-security organ where needed → outcome.
STAGE_ACTIONS: dict[ReferralStage, tuple[str, ...]] = {
    ReferralStage.submitted: ("review",),
    ReferralStage.returned: ("supplement",),
    ReferralStage.complete: ("liaison",),
    ReferralStage.liaised: ("police_transfer", "outcome"),
    ReferralStage.police_transferred: ("outcome",),
    ReferralStage.following_up: ("outcome",),
    ReferralStage.concluded: (),
}
OPEN_STAGES = tuple(stage for stage in ReferralStage if stage != ReferralStage.concluded)

# Criminal procedure runs accepted (立案) → prosecuted (公诉) → judged (判决); a case may be declined
# (不予立案/撤案) before it is prosecuted. Declined and judged end the follow-up.
_OUTCOME_RANK = {ReferralOutcome.accepted: 1, ReferralOutcome.prosecuted: 2, ReferralOutcome.judged: 3}
_FINAL_OUTCOMES = frozenset({ReferralOutcome.declined, ReferralOutcome.judged})


class MaterialItem(Protocol):
    """A checklist item handed over, with an optional note."""

    @property
    def item(self) -> str: ...

    @property
    def note(self) -> str | None: ...


# The comprehensive group reviews and follows a referral; only the team handling the case hands over
# materials for it (plan §5(3), §5(6)).
_HANDLE = Step[RefusalReferral](permission="referral.handle")
STEPS: dict[str, Step[RefusalReferral]] = {
    "review": _HANDLE,
    "supplement": Step(permission="referral.submit", on=lambda referral: referral.case),
    "liaison": _HANDLE,
    "police_transfer": _HANDLE,
    "outcome": _HANDLE,
}


def checklist() -> list[str]:
    """The items the court requires in every referral (settings ``refusal_referral_checklist``)."""
    return list(get_settings().refusal_referral_checklist)


def checklist_status(referral: RefusalReferral) -> list[tuple[str, bool]]:
    """Each checklist item and whether the team has handed it over."""
    provided = {m.item for m in referral.materials}
    return [(item, item in provided) for item in checklist()]


def _check_items(items: Sequence[str], *, field: str, suffix: str = "") -> None:
    known = checklist()
    for index, item in enumerate(items):
        if item not in known:
            raise InvalidInput(
                f"{field}.{index}{suffix}",
                f"{item!r} is not on the checklist; expected one of {', '.join(known)}",
            )


def _visible(stmt: SelectT, user: User) -> SelectT:
    """Brigades see their own team's referrals only (docs/permissions.md)."""
    return stmt if sees_all_cases(user) else stmt.where(RefusalReferral.unit_code == user.unit_code)


REFERRALS = Workflow(
    model=RefusalReferral,
    entity="refusal_referral",
    noun="refusal-to-execute referral",
    id_name="referral_id",
    state_of=lambda referral: referral.stage,
    state_actions=STAGE_ACTIONS,
    steps=STEPS,
    snapshot=fields_of("stage", "outcome", "missing_items", "return_count", "version"),
    visible=_visible,
    children=(RefusalReferral.materials,),
    case=RefusalReferral.case,
    filters={
        "stage": RefusalReferral.stage,
        "unit": RefusalReferral.unit_code,
        "outcome": RefusalReferral.outcome,
        "case_id": RefusalReferral.case_id,
    },
)


# Submission by the handling team -----------------------------------------------------------------------


def submit_referral(
    session: Session,
    *,
    user: User,
    case_id: int,
    summary: str,
    materials: Sequence[MaterialItem],
    submitted_on: date | None,
) -> RefusalReferral:
    """The handling team hands over a suspected refusal to execute with its materials (plan §5(3), §5(6))."""
    case = case_for_action(session, user, case_id, "refer_refusal")
    _check_items([m.item for m in materials], field="materials", suffix=".item")
    submitted_on = legal_date_or_today(
        "submitted_on",
        submitted_on,
        not_before=case.filed_on,
        not_before_what=f"the filing of case {case.case_number}",
    )
    open_referral = session.scalar(
        select(RefusalReferral.id).where(
            RefusalReferral.case_id == case.id, RefusalReferral.stage.in_(OPEN_STAGES)
        )
    )
    if open_referral is not None:
        raise Conflict(
            f"case {case.case_number} already has an open refusal-to-execute referral "
            f"({open_referral}); supplement that one",
            referral_id=open_referral,
        )
    referral = RefusalReferral(
        case_id=case.id,
        unit_code=case.unit_code,
        stage=ReferralStage.submitted,
        submitted_on=submitted_on,
        summary=summary,
        missing_items=[],
        submitted_by_id=user.id,
    )
    referral.materials = [
        RefusalReferralMaterial(item=m.item, note=m.note, round=0, added_by_id=user.id) for m in materials
    ]
    return REFERRALS.created(
        session,
        user=user,
        record=referral,
        action="submitted",
        fields=("unit_code", "submitted_on"),
        reason=summary,
        materials=[m.item for m in materials],
    )


@REFERRALS.command("supplement")
def supplement_referral(
    change: Change[RefusalReferral], *, materials: Sequence[MaterialItem], note: str | None
) -> RefusalReferral:
    """The handling team adds the materials it was asked for; the referral goes back for review."""
    referral = change.record
    _check_items([m.item for m in materials], field="materials", suffix=".item")
    for m in materials:
        change.session.add(
            RefusalReferralMaterial(
                referral_id=referral.id,
                item=m.item,
                note=m.note,
                round=referral.return_count,
                added_by_id=change.user.id,
            )
        )
    referral.stage = ReferralStage.submitted
    return change.save("supplemented", materials=[m.item for m in materials], reason=note)


# The comprehensive group's work -------------------------------------------------------------------------


@REFERRALS.command("review")
def review_referral(
    change: Change[RefusalReferral],
    *,
    result: ReferralReviewResult,
    missing_items: Sequence[str],
    note: str | None,
    reviewed_on: date | None,
) -> RefusalReferral:
    """Check the materials against the checklist: complete, or returned naming what is missing."""
    referral = REFERRALS.reload(change.session, change.record.id)
    reviewed_on = legal_date_or_today(
        "reviewed_on", reviewed_on, not_before=referral.submitted_on, not_before_what="the submission"
    )
    if result == ReferralReviewResult.returned:
        # Plan §5(6): incomplete materials go back to the team, which is told what to supplement.
        if not missing_items:
            raise InvalidInput("missing_items", "name at least one checklist item the team must supplement")
        _check_items(missing_items, field="missing_items")
        referral.stage = ReferralStage.returned
        referral.missing_items = list(dict.fromkeys(missing_items))
        referral.return_count += 1
    else:
        if missing_items:
            raise InvalidInput("missing_items", "a complete referral has no missing items; return it instead")
        absent = [item for item, provided in checklist_status(referral) if not provided]
        if absent:
            raise GateNotMet(
                f"the materials lack {', '.join(absent)}; return the referral to the team", missing=absent
            )
        referral.stage = ReferralStage.complete
        referral.missing_items = []
    referral.review_note, referral.reviewed_on, referral.reviewed_by_id = note, reviewed_on, change.user.id
    return change.save(f"reviewed_{result.value}", reviewed_on=reviewed_on, reason=note)


@REFERRALS.command("liaison")
def record_liaison(
    change: Change[RefusalReferral], *, liaised_on: date | None, contact: str | None, note: str | None
) -> RefusalReferral:
    """Record the hand-over to the court's criminal division (与刑庭对接)."""
    referral = change.record
    liaised_on = legal_date_or_today(
        "liaised_on", liaised_on, not_before=referral.reviewed_on, not_before_what="the review"
    )
    referral.liaised_on, referral.liaison_contact, referral.liaison_note = liaised_on, contact, note
    referral.stage = ReferralStage.liaised
    return change.save("liaised", liaised_on=liaised_on, contact=contact, reason=note)


@REFERRALS.command("police_transfer")
def record_police_transfer(
    change: Change[RefusalReferral], *, document_number: str, transferred_on: date, police_organ: str | None
) -> RefusalReferral:
    """Record the transfer documents sent to the public-security organ (移送公安机关)."""
    referral = change.record
    check_legal_date(
        "transferred_on",
        transferred_on,
        not_before=referral.liaised_on,
        not_before_what="the liaison with the criminal division",
    )
    referral.police_document_number, referral.police_transferred_on = document_number, transferred_on
    referral.police_organ = police_organ
    referral.stage = ReferralStage.police_transferred
    return change.save(
        "police_transferred",
        document_number=document_number,
        transferred_on=transferred_on,
        police_organ=police_organ,
    )


def _next_outcomes(current: ReferralOutcome | None) -> list[ReferralOutcome]:
    rank = _OUTCOME_RANK.get(current, 0) if current else 0
    following = [o for o, r in _OUTCOME_RANK.items() if r > rank]
    if current in (None, ReferralOutcome.accepted):
        following.append(ReferralOutcome.declined)
    return following


@REFERRALS.command("outcome")
def record_outcome(
    change: Change[RefusalReferral],
    *,
    outcome: ReferralOutcome,
    decided_on: date | None,
    reference: str | None,
    note: str | None,
) -> RefusalReferral:
    """Record where the referral stands: accepted, declined, prosecuted or judged (跟进)."""
    referral = change.record
    current = referral.outcome
    possible = _next_outcomes(current)
    if outcome not in possible:
        after = f"after {current.value}" if current else "first"
        raise InvalidInput("outcome", f"{after} the outcome can be {', '.join(o.value for o in possible)}")
    decided_on = legal_date_or_today(
        "decided_on",
        decided_on,
        not_before=referral.outcome_on or referral.liaised_on,
        not_before_what="the previous step",
    )
    referral.outcome, referral.outcome_on = outcome, decided_on
    referral.outcome_reference, referral.outcome_note = reference, note
    referral.stage = ReferralStage.concluded if outcome in _FINAL_OUTCOMES else ReferralStage.following_up
    return change.save(f"outcome_{outcome.value}", decided_on=decided_on, reference=reference, reason=note)


# The register ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralFilters:
    stage: ReferralStage | None = None
    unit: str | None = None
    outcome: ReferralOutcome | None = None
    case_id: int | None = None


@dataclass(frozen=True)
class ReferralStats:
    total: int
    by_stage: dict[str, int]
    by_unit: dict[str, int]
    by_outcome: dict[str, int]


NO_OUTCOME = "pending"


def referral_stats(session: Session, *, user: User, filters: ReferralFilters) -> ReferralStats:
    """Counts of the register by stage, team and outcome (plan §5(6): 统一登记、统计)."""
    counts = select(RefusalReferral.stage, RefusalReferral.unit_code, RefusalReferral.outcome, func.count())
    stmt = where_given(_visible(counts, user), REFERRALS.where(**asdict(filters)))
    rows = session.execute(
        stmt.group_by(RefusalReferral.stage, RefusalReferral.unit_code, RefusalReferral.outcome)
    ).all()
    by_stage: Counter[str] = Counter({stage.value: 0 for stage in ReferralStage})
    by_outcome: Counter[str] = Counter({o.value: 0 for o in ReferralOutcome} | {NO_OUTCOME: 0})
    by_unit: Counter[str] = Counter()
    for stage, unit_code, outcome, count in rows:
        by_stage[stage] += count
        by_unit[unit_code] += count
        by_outcome[outcome or NO_OUTCOME] += count
    return ReferralStats(
        total=sum(by_stage.values()),
        by_stage=dict(by_stage),
        by_unit=dict(sorted(by_unit.items())),
        by_outcome=dict(by_outcome),
    )
