"""The dishonest-respondent list (失信被执行人名单, SPC dishonest-list rules): proposal, decision and
deletion."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices
from pydantic import Field
from pydantic import model_validator

from app.enums import Decision
from app.enums import DeletionTrigger
from app.enums import DishonestGround
from app.enums import DishonestListingState
from app.schemas.common import AllowedActions
from app.schemas.common import DecisionInput
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import LegalDate
from app.schemas.common import LegalDateOrToday
from app.schemas.common import LongText
from app.schemas.common import ORMModel
from app.schemas.common import RowId
from app.schemas.common import example
from app.schemas.common import field_error


class DishonestListingCreate(InputModel):
    """The handling judge proposes a respondent for the list."""

    model_config = example(
        respondent_id=2,
        ground="breaks_reporting_duty",
        facts="被执行人收到报告财产令后逾期未报告财产",
        proposed_on="2026-05-06",
    )

    respondent_id: RowId = Field(
        validation_alias=AliasChoices("respondent_id", "respondent"),
        description="the respondent (party id) to list",
    )
    ground: DishonestGround
    facts: LongText = Field(description="the facts that make the ground out")
    proposed_on: LegalDateOrToday = None


class DishonestDecisionCreate(DecisionInput):
    """The director approves or refuses (plan §4: 失信被执行人录入审批)."""

    model_config = example(decision="approve", decided_on="2026-05-08")

    decided_on: LegalDate | None = Field(None, description="defaults to today; the listing starts that day")
    reason: LongText | None = Field(
        None, description="required when refusing; the serious circumstances when adding years"
    )
    extra_years: int = Field(0, ge=0, description="serious cases: 1–3 years added to the term")

    @model_validator(mode="after")
    def _consistent(self) -> DishonestDecisionCreate:
        if self.decision == Decision.refuse and self.extra_years:
            raise field_error(
                type(self), "extra_years", "not_for_refusal", "only an approval sets a term", self.extra_years
            )
        if self.extra_years and self.reason is None:
            raise field_error(
                type(self), "reason", "missing", "state the serious circumstances that extend the term", None
            )
        return self


class DeletionTriggerCreate(InputModel):
    """Why the listing must now be deleted (starts the 3-working-day clock D11)."""

    model_config = example(trigger="paid", triggered_on="2026-07-01", reason="被执行人已全部履行")

    trigger: DeletionTrigger
    triggered_on: LegalDate | None = Field(None, description="the day it happened; defaults to today")
    reason: LongText | None = None


class DeletionCreate(InputModel):
    """The listing was deleted from the list."""

    model_config = example(deleted_on="2026-07-03", note="已在失信被执行人名单中删除")

    deleted_on: LegalDateOrToday = None
    note: LongText | None = None


class DishonestListingRead(ORMModel):
    id: int
    case_id: int
    respondent_id: int
    ground: DishonestGround
    facts: str
    state: DishonestListingState
    proposed_by: int = Field(validation_alias="proposed_by_id")
    proposed_on: ISODate
    decided_by: int | None = Field(validation_alias="decided_by_id")
    decided_on: ISODate | None
    decision_reason: str | None
    extra_years: int
    term_years: int | None = Field(description="null: no fixed term (able to pay but refuses)")
    term_ends_on: ISODate | None
    deletion_trigger: DeletionTrigger | None
    deletion_triggered_on: ISODate | None
    deleted_on: ISODate | None
    note: str | None
    allowed_actions: AllowedActions = []
    version: int
    created_at: datetime
