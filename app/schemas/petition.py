"""Enforcement petitions (涉执信访): ``PetitionCreate`` (what is received), the step bodies and
``PetitionRead``."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices
from pydantic import Field

from app.enums import PetitionChannel
from app.enums import PetitionState
from app.schemas.common import AllowedActions
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import Name
from app.schemas.common import Note
from app.schemas.common import ORMModel
from app.schemas.common import RowId
from app.schemas.common import example

_TODAY = "today (court time) when absent"


class PetitionCreate(InputModel):
    """A petition received by the comprehensive group (plan §5(8))."""

    model_config = example(
        received_on="2026-04-20",
        channel="visit",
        petitioner_name="张三",
        contact="13800138000",
        case_id=1,
        content="申请执行人反映案件执行进展缓慢",
    )

    received_on: ISODate = Field(description="date received; not in the future")
    channel: PetitionChannel = Field(description="visit 来访, letter 来信, phone 来电, online 网上信访")
    petitioner_name: Name
    contact: str | None = Field(None, max_length=200)
    case_id: RowId | None = Field(None, description="the case it is about, when there is one")
    content: str = Field(min_length=1, max_length=20000)


class RegisterCreate(InputModel):
    model_config = example(registered_on="2026-04-21")

    registered_on: ISODate | None = Field(None, description=_TODAY)


class RouteCreate(InputModel):
    model_config = example(routed_on="2026-04-22", note="请承办团队十日内答复")

    unit_code: str | None = Field(
        None,
        max_length=32,
        validation_alias=AliasChoices("unit_code", "unit"),
        description="the handling team; only needed when the petition has no case allocated to a team",
    )
    routed_on: ISODate | None = Field(None, description=_TODAY)
    note: Note | None = None


class UrgeCreate(InputModel):
    model_config = example(note="请尽快答复信访人", urged_on="2026-05-06")

    note: str = Field(min_length=1, max_length=4000)
    urged_on: ISODate | None = Field(None, description=_TODAY)


class SuperviseCreate(InputModel):
    model_config = example(note="列入局领导督办", supervised_on="2026-05-07")

    note: Note | None = None
    supervised_on: ISODate | None = Field(None, description=_TODAY)


class ReplyCreate(InputModel):
    model_config = example(reply_text="已冻结被执行人存款，房产正在评估拍卖", replied_on="2026-05-12")

    reply_text: str = Field(
        min_length=1, max_length=20000, validation_alias=AliasChoices("reply_text", "reply")
    )
    replied_on: ISODate | None = Field(None, description=_TODAY)


class ResolveCreate(InputModel):
    model_config = example(resolved_on="2026-05-20", note="信访人表示满意")

    resolved_on: ISODate | None = Field(None, description=_TODAY)
    note: Note | None = None


class CloseCreate(InputModel):
    model_config = example(closed_on="2026-05-21", note="已答复信访人，报结")

    closed_on: ISODate | None = Field(None, description=_TODAY)
    note: Note | None = None


class UrgeRead(ORMModel):
    id: int
    urged_on: ISODate
    note: str
    urged_by_id: int
    urged_at: datetime


class PetitionRead(ORMModel):
    id: int
    case_id: int | None
    received_on: ISODate
    channel: PetitionChannel
    petitioner_name: str
    contact: str | None
    content: str
    state: PetitionState
    repeat_of_id: int | None = Field(description="the petitioner's first petition on the same case")
    repeat_count: int = Field(description="earlier petitions of this petitioner on the same case")
    registered_on: ISODate | None
    unit_code: str | None = Field(description="the handling team it was routed to")
    routed_on: ISODate | None
    route_note: str | None
    urges: list[UrgeRead]
    supervised: bool = Field(description="escalated to the leadership (督办)")
    supervised_on: ISODate | None
    supervision_note: str | None
    reply_text: str | None
    replied_on: ISODate | None
    resolved_on: ISODate | None
    resolution_note: str | None
    closed_on: ISODate | None
    close_note: str | None
    allowed_actions: AllowedActions = []
    created_at: datetime
    updated_at: datetime
    version: int
