"""Centralised disposal (财产集约处置, plan §5(3)–(4)): transfer, decision, tasks, return."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices
from pydantic import Field

from app.enums import DisposalTaskKind
from app.enums import DisposalTransferState
from app.schemas.common import AllowedActions
from app.schemas.common import DecisionInput
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import LegalDate
from app.schemas.common import LegalDateOrToday
from app.schemas.common import LongText
from app.schemas.common import MoneyIn
from app.schemas.common import MoneyOut
from app.schemas.common import ORMModel
from app.schemas.common import RowId
from app.schemas.common import example


class DisposalTransferCreate(InputModel):
    """The handling judge asks to send the case to the property-disposal group."""

    model_config = example(
        requested_on="2026-04-02", notes="被执行人名下房产一套（郑州市管城回族区），已查封，请评估拍卖"
    )

    requested_on: LegalDateOrToday = None
    notes: LongText | None = Field(
        None, description="the property to dispose of and anything the group needs"
    )
    asset_id: RowId | None = Field(
        None, description="the asset of the case to dispose of, where one is meant"
    )


class DisposalDecisionCreate(DecisionInput):
    """The deputy director's decision (主管副局长批准, plan §5(3))."""

    model_config = example(decision="approve", decided_on="2026-04-03")


class DisposalTaskCreate(InputModel):
    """One act of the disposal group: seal, seize, search, evict, clear land, appraise, auction, announce."""

    model_config = example(kind="appraise", on="2026-04-10", result="评估价1200000.00元", amount="1200000.00")

    kind: DisposalTaskKind
    on: LegalDate = Field(description="the day it was done; not before the transfer was approved")
    result: LongText = Field(description="what came of it (e.g. sold at the first auction)")
    amount: MoneyIn | None = Field(
        None, description="yuan: appraised value or auction price, where there is one"
    )
    asset_id: RowId | None = Field(None, description="the asset of the case it concerns")


class DisposalReturnCreate(InputModel):
    """The case goes back to the team it came from (plan §5(4)) with what disposal realised."""

    model_config = example(returned_on="2026-06-30", amount_realised="1150000.00", result="第一次拍卖成交")

    returned_on: LegalDateOrToday = None
    amount_realised: MoneyIn = Field(
        validation_alias=AliasChoices("amount_realised", "amount_realized"),
        description="yuan realised by the disposal (0.00 when nothing)",
    )
    result: LongText | None = None


class DisposalTaskRead(ORMModel):
    id: int
    transfer_id: int
    case_id: int
    kind: DisposalTaskKind
    on: ISODate = Field(validation_alias="done_on")
    result: str
    amount: MoneyOut | None
    asset_id: int | None
    recorded_by: int = Field(validation_alias="recorded_by_id")
    recorded_at: datetime


class DisposalTransferRead(ORMModel):
    id: int
    case_id: int
    state: DisposalTransferState
    origin_unit_code: str = Field(description="the team the case came from and goes back to")
    origin_handler_id: int
    disposal_document_id: int = Field(description="the served disposal document (measure) it rests on")
    requested_by: int = Field(validation_alias="requested_by_id")
    requested_on: ISODate
    notes: str | None
    asset_id: int | None
    decided_by: int | None = Field(validation_alias="decided_by_id")
    decided_on: ISODate | None
    decision_reason: str | None
    returned_by: int | None = Field(validation_alias="returned_by_id")
    returned_on: ISODate | None
    amount_realised: MoneyOut | None
    result: str | None
    tasks: list[DisposalTaskRead]
    allowed_actions: AllowedActions = []
    version: int
    created_at: datetime
