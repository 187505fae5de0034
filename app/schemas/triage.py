"""Triage (繁简分流): the dry run, the decision with its allocation, and the fast group's hand-back."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AliasChoices
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import StrictBool

from app.enums import AssetKind
from app.enums import AssetStatus
from app.enums import Behaviour
from app.enums import Category
from app.enums import RespondentClass
from app.enums import Track
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import MoneyIn
from app.schemas.common import ORMModel
from app.schemas.common import Page
from app.schemas.common import RowId
from app.schemas.common import example

_REASON_MAX = 2000


class TriageRespondentIn(InputModel):
    """A respondent as in ``POST /cases``; only its class matters to triage (rule T5)."""

    model_config = ConfigDict(extra="ignore")

    respondent_class: RespondentClass


class TriageClueIn(InputModel):
    """A property clue as in ``POST /cases``; triage counts them (rule T9)."""

    model_config = ConfigDict(extra="ignore")

    kind: AssetKind | None = None
    description: str | None = None


class TriageAssetIn(InputModel):
    kind: AssetKind
    value: MoneyIn
    status: AssetStatus = AssetStatus.found
    disposable: StrictBool


class TriageEvaluateRequest(InputModel):
    """Facts to evaluate, shaped like a ``POST /cases`` body plus the investigation; or a ``case_id``."""

    model_config = example(
        category="civil_commercial",
        claim_amount="80000.00",
        respondent_classes=["enterprise"],
        property_clue_count=0,
        assets=[{"kind": "real_estate", "value": "2000000.00", "status": "sealed", "disposable": True}],
        investigation_completed=True,
    )

    case_id: RowId | None = Field(
        None,
        description="evaluate a recorded case as it stands instead of the facts below "
        "(only manual_simple_reason may be given with it)",
    )
    category: Category | None = Field(None, description="required unless case_id is given")
    claim_amount: MoneyIn | None = Field(None, description="null only for behavioural cases")
    paid_amount: MoneyIn | None = Field(None, description="already paid; default 0.00")
    behaviour: Behaviour | None = None
    respondents: list[TriageRespondentIn] = Field(default_factory=list, max_length=100)
    respondent_classes: list[RespondentClass] = Field(
        default_factory=list, max_length=100, description="shorthand for respondents[].respondent_class"
    )
    property_clues: list[TriageClueIn] = Field(default_factory=list, max_length=200)
    property_clue_count: int | None = Field(None, ge=0, le=200, description="shorthand for property_clues")
    assets: list[TriageAssetIn] = Field(default_factory=list, max_length=500)
    investigation_completed: StrictBool = False
    willing_to_perform: StrictBool = False
    settlement_likely: StrictBool = False
    manual_simple_reason: str | None = Field(
        None,
        max_length=_REASON_MAX,
        description="the comprehensive group's written reason to mark it simple (T10)",
    )
    # Accepted so that an intake form can be evaluated as it is; triage does not use them.
    case_number: str | None = Field(None, max_length=64, description="ignored")
    filed_on: ISODate | None = Field(None, description="ignored")
    applicants: list[dict[str, Any]] | None = Field(None, max_length=100, description="ignored")


class TriageRuleRead(BaseModel):
    id: str = Field(examples=["T6"])
    explanation: str


class TriageEvaluation(BaseModel):
    """What the rule set says; nothing is recorded."""

    track: Track
    rules: list[TriageRuleRead] = Field(description="every rule that fired, in id order; empty when ordinary")
    rules_not_fired: list[TriageRuleRead] = Field(
        description="every rule that did not fire, in id order, each with why: when the track is "
        "ordinary, the reasons no simplifying rule applies"
    )
    rule_set_version: str


class TriageCommand(InputModel):
    """Decide the track and allocate; ``override_track`` needs a written ``reason``."""

    model_config = example(override_track="ordinary", reason="被执行人名下房产需评估拍卖，按普通案件办理")

    override_track: Track | None = Field(
        None, description="simple records rule T10 with the reason; ordinary overrides the rules that fired"
    )
    reason: str | None = Field(None, max_length=_REASON_MAX, description="required with override_track")


class HandbackCommand(InputModel):
    """Why the fast group cannot handle the case simply."""

    model_config = example(reason="被执行人下落不明，财产需评估拍卖，不宜简易执行")

    reason: str = Field(min_length=1, max_length=_REASON_MAX)


class TriageDecisionRead(ORMModel):
    """A recorded triage decision or hand-back, with the allocation it made."""

    id: int
    case_id: int
    kind: str = Field(description="triage or handback")
    track: Track
    rules: list[TriageRuleRead] = Field(description="every rule that fired, in id order")
    rules_not_fired: list[TriageRuleRead] | None = Field(
        description="every rule that did not fire, in id order, each with why (null on decisions "
        "recorded before these reasons were kept)"
    )
    rule_set_version: str
    override_track: Track | None
    reason: str | None
    unit: str = Field(
        validation_alias=AliasChoices("unit_code", "unit"), description="unit code, e.g. fast or brigade-2"
    )
    handler_id: int | None = Field(description="the handling judge (承办法官)")
    allocation_reason: str
    inputs: dict[str, Any] = Field(description="the facts the rules were evaluated on")
    decided_by_id: int
    decided_at: datetime


class TriageOutcome(TriageDecisionRead):
    """The decision just recorded, with the case version it produced (the new ETag)."""

    case_version: int = Field(description="the case's version after this decision")

    @classmethod
    def of(cls, decision: Any, *, case_version: int) -> TriageOutcome:
        read = TriageDecisionRead.model_validate(decision)
        return cls(**read.model_dump(), case_version=case_version)


TriageDecisionList = Page[TriageDecisionRead]
