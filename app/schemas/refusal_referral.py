"""Refusal-to-execute referrals (拒执移送): what the team submits, the review and follow-up bodies,
``RefusalReferralRead`` and the register's counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices
from pydantic import BaseModel
from pydantic import Field
from pydantic import field_validator

from app.enums import ReferralOutcome
from app.enums import ReferralReviewResult
from app.enums import ReferralStage
from app.schemas.common import AllowedActions
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import Name
from app.schemas.common import Note
from app.schemas.common import ORMModel
from app.schemas.common import RowId
from app.schemas.common import example


class MaterialIn(InputModel):
    """One checklist item handed over (a plain item code is accepted too)."""

    item: str = Field(
        min_length=1,
        max_length=60,
        examples=["evidence_of_refusal"],
        description="a checklist item: evidence_of_ability_to_perform, evidence_of_refusal, "
        "documents_served, warnings_given, or one the court adds",
    )
    note: Note | None = None


def _item_codes_as_objects(value: Any) -> Any:
    if isinstance(value, list):
        return [{"item": v} if isinstance(v, str) else v for v in value]
    return value


class RefusalReferralCreate(InputModel):
    """The handling team's referral of a suspected refusal to execute (plan §5(3), §5(6))."""

    model_config = example(
        case_id=1,
        summary="被执行人有能力履行而转移财产，拒不履行",
        materials=[
            {"item": "evidence_of_ability_to_perform"},
            {"item": "evidence_of_refusal"},
            {"item": "documents_served"},
            {"item": "warnings_given"},
        ],
        submitted_on="2026-05-11",
    )

    case_id: RowId
    summary: str = Field(min_length=1, max_length=20000, description="the conduct amounting to refusal")
    materials: list[MaterialIn] = Field(min_length=1, max_length=100)
    submitted_on: ISODate | None = Field(None, description="today (court time) when absent")

    _materials = field_validator("materials", mode="before")(_item_codes_as_objects)


class SupplementCreate(InputModel):
    model_config = example(materials=[{"item": "warnings_given", "note": "训诫笔录"}], note="按要求补充")

    materials: list[MaterialIn] = Field(min_length=1, max_length=100)
    note: Note | None = None

    _materials = field_validator("materials", mode="before")(_item_codes_as_objects)


class ReviewCreate(InputModel):
    """The comprehensive group's check: ``complete``, or ``returned`` naming the missing items."""

    model_config = example(result="complete", reviewed_on="2026-05-13", note="材料齐全")

    result: ReferralReviewResult = Field(validation_alias=AliasChoices("result", "outcome", "decision"))
    missing_items: list[str] = Field(
        default_factory=list,
        max_length=100,
        description="checklist items to supplement; at least one when returned",
    )
    note: Note | None = None
    reviewed_on: ISODate | None = Field(None, description="today (court time) when absent")


class LiaisonCreate(InputModel):
    model_config = example(liaised_on="2026-05-15", contact="刑事审判庭", note="已移交刑事审判庭")

    liaised_on: ISODate | None = Field(None, description="date of the hand-over to the criminal division")
    contact: Name | None = Field(None, description="the criminal division's contact")
    note: Note | None = None


class PoliceTransferCreate(InputModel):
    model_config = example(
        document_number="（2026）豫0104执123号之一",
        transferred_on="2026-05-20",
        police_organ="郑州市公安局管城回族区分局",
    )

    document_number: str = Field(min_length=1, max_length=100, description="number of the transfer letter")
    transferred_on: ISODate
    police_organ: Name | None = Field(None, examples=["郑州市公安局管城回族区分局"])


class OutcomeCreate(InputModel):
    model_config = example(
        outcome="accepted", decided_on="2026-06-01", reference="管公（刑）立字〔2026〕15号"
    )

    outcome: ReferralOutcome = Field(
        description="accepted 立案, declined 不予立案, prosecuted 起诉, judged 判决"
    )
    decided_on: ISODate | None = Field(
        None,
        description="today (court time) when absent",
        validation_alias=AliasChoices("decided_on", "outcome_on"),
    )
    reference: str | None = Field(None, max_length=100, description="document number of the decision")
    note: Note | None = None


class MaterialRead(ORMModel):
    id: int
    item: str
    note: str | None
    round: int = Field(description="0 at submission, n for the supplement after the n-th return")
    added_at: datetime


class ChecklistItemRead(BaseModel):
    item: str
    provided: bool


class RefusalReferralRead(ORMModel):
    id: int
    case_id: int
    unit_code: str = Field(description="the submitting team")
    stage: ReferralStage
    outcome: ReferralOutcome | None
    submitted_on: ISODate
    summary: str
    materials: list[MaterialRead]
    checklist: list[ChecklistItemRead] = Field(default_factory=list)
    missing_items: list[str] = Field(description="named by the last return")
    review_note: str | None
    reviewed_on: ISODate | None
    return_count: int
    liaised_on: ISODate | None
    liaison_contact: str | None
    liaison_note: str | None
    police_document_number: str | None
    police_organ: str | None
    police_transferred_on: ISODate | None
    outcome_on: ISODate | None
    outcome_reference: str | None
    outcome_note: str | None
    allowed_actions: AllowedActions = []
    created_at: datetime
    updated_at: datetime
    version: int


class RefusalReferralStats(BaseModel):
    total: int
    by_stage: dict[str, int]
    by_unit: dict[str, int] = Field(description="by submitting team")
    by_outcome: dict[str, int] = Field(description="'pending' counts referrals without an outcome yet")
