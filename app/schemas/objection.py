"""Objections (执行异议): ``ObjectionCreate`` (what is filed), the command bodies, ``ObjectionRead``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AliasChoices
from pydantic import Field
from pydantic import field_validator

from app.enums import FilerKind
from app.enums import ObjectionKind
from app.enums import ObjectionOutcome
from app.schemas.common import AllowedActions
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import Name
from app.schemas.common import Note
from app.schemas.common import ORMModel
from app.schemas.common import RowId
from app.schemas.common import example
from app.settings import get_settings


class ObjectionCreate(InputModel):
    """An objection received against a case (plan §5(7))."""

    model_config = example(
        case_id=1,
        kind="enforcement_act",
        filer_name="郑州某某贸易有限公司",
        filer_kind="party",
        received_on="2026-03-20",
        grounds="被冻结的账户为工资专户，请求解除冻结",
    )

    case_id: RowId
    kind: ObjectionKind = Field(
        description="enforcement_act 执行行为异议, outsider 案外人异议, "
        "add_change_parties 追加变更当事人, jurisdiction 管辖权异议, "
        "reconsideration 复议"
    )
    filer_name: Name
    filer_kind: FilerKind = Field(description="a party to the case, or a case outsider (案外人、利害关系人)")
    received_on: ISODate = Field(description="date the written objection was received; not in the future")
    grounds: str = Field(min_length=1, max_length=20000)
    asset_id: RowId | None = Field(
        None,
        description="outsider objections: the asset of the case the outsider claims (执行标的); while the "
        "applicant may sue after the objection is upheld, that asset may not be disposed of",
    )


class DocketCreate(InputModel):
    model_config = example(docketed_on="2026-03-23")

    docketed_on: ISODate | None = Field(
        None, description="date of docketing (立案); today (court time) when absent"
    )


class HearingCreate(InputModel):
    """Schedule a hearing (``scheduled_for``) or record that it was held (``held_on``, ``notes``)."""

    model_config = example(held_on="2026-03-30", notes="双方到庭陈述意见")

    scheduled_for: datetime | None = Field(
        None, description="when the hearing is to take place; without an offset it is court local time"
    )
    held_on: ISODate | None = Field(None, description="date the hearing was held; not in the future")
    notes: str | None = Field(None, max_length=20000)

    @field_validator("scheduled_for")
    @classmethod
    def _court_local_time(cls, value: datetime | None) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=ZoneInfo(get_settings().court_timezone))


class RulingCreate(InputModel):
    model_config = example(
        outcome="rejected", reasons="该账户并非工资专户，冻结并无不当", ruled_on="2026-04-03"
    )

    outcome: ObjectionOutcome = Field(
        description="upheld 异议成立 or rejected 驳回异议", validation_alias=AliasChoices("outcome", "result")
    )
    reasons: str = Field(min_length=1, max_length=20000, validation_alias=AliasChoices("reasons", "reason"))
    ruled_on: ISODate

    @field_validator("outcome")
    @classmethod
    def _ruled_outcome(cls, value: ObjectionOutcome) -> ObjectionOutcome:
        # 不予受理 is decided on receipt (a late jurisdiction objection), not after a docketed hearing.
        if value == ObjectionOutcome.not_accepted:
            raise ValueError("a ruling is upheld or rejected; not_accepted is decided on receipt")
        return value


class ServiceCreate(InputModel):
    model_config = example(served_on="2026-04-07")

    served_on: ISODate = Field(description="date the ruling was served (送达)")


class ReconsiderationCreate(InputModel):
    model_config = example(applied_on="2026-04-14", applicant="郑州某某贸易有限公司", grounds="不服异议裁定")

    applied_on: ISODate = Field(description="date the application for reconsideration (复议) was received")
    applicant: Name | None = None
    grounds: str | None = Field(None, max_length=20000)


class TransferCreate(InputModel):
    model_config = example(transferred_on="2026-04-17", higher_court="郑州市中级人民法院", note="卷宗已移送")

    transferred_on: ISODate = Field(description="date the file went to the higher court")
    higher_court: Annotated[Name, Field(max_length=100)] | None = Field(None, examples=["郑州市中级人民法院"])
    note: Note | None = None


class HearingRead(ORMModel):
    id: int
    scheduled_for: datetime | None
    held_on: ISODate | None
    notes: str | None
    recorded_at: datetime


class ObjectionRead(ORMModel):
    id: int
    case_id: int
    kind: ObjectionKind
    filer_name: str
    filer_kind: FilerKind
    received_on: ISODate
    grounds: str
    asset_id: int | None
    state: str
    docket_number: str | None = Field(description="its own case number, e.g. （2026）豫0104执异1号")
    docketed_on: ISODate | None
    hearings: list[HearingRead]
    outcome: ObjectionOutcome | None
    ruling_reasons: str | None
    ruled_on: ISODate | None
    served_on: ISODate | None
    reconsideration_applied_on: ISODate | None
    reconsideration_applicant: str | None
    reconsideration_grounds: str | None
    transferred_on: ISODate | None
    higher_court: str | None
    transfer_note: str | None
    allowed_actions: AllowedActions = []
    created_at: datetime
    updated_at: datetime
    version: int
