from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field

from app.enums import DeadlineStatus
from app.enums import ExtensionState
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import ORMModel
from app.schemas.common import example


class BoardStatus(StrEnum):
    """What the early-warning board lists."""

    overdue = "overdue"  # breached, or open with the due date passed (before the sweep marks it)
    due_soon = "due_soon"  # open and due within the rule's warning window
    open = "open"
    met = "met"
    breached = "breached"
    paused = "paused"


class DeadlineRead(ORMModel):
    """One deadline clock of a case (D1–D17, docs/rules.md#deadlines)."""

    id: int
    rule: str = Field(description="D1 … D13")
    title: str
    case_id: int | None
    subject_type: str = Field(description="what the clock is about: case, objection, petition, asset …")
    subject_id: int | None
    started_on: ISODate
    due_on: ISODate = Field(
        description="last day; while paused, the due date if it resumed the day it paused"
    )
    status: DeadlineStatus
    provisional: bool = Field(description="the due date depends on a year without a confirmed calendar")
    met_on: ISODate | None
    met_late: bool
    paused_since: ISODate | None
    paused_days: int = Field(description="calendar days the clock has been suspended")
    extension_months: int
    overdue: bool = Field(description="breached, or open with the due date already passed")
    days_overdue: int = Field(description="calendar days past the due date; 0 when not overdue")
    days_left: int | None = Field(description="calendar days until the due date for a running clock")


class DeadlineBoardItem(ORMModel):
    """One line of the early-warning board (期限预警)."""

    id: int
    rule: str
    title: str
    case_id: int | None
    case_number: str | None
    unit: str | None = Field(description="unit code the case is allocated to")
    handler_id: int | None
    handler_name: str | None
    subject_type: str
    subject_id: int | None
    started_on: ISODate
    due_on: ISODate
    status: DeadlineStatus
    provisional: bool
    overdue: bool
    days_overdue: int = Field(description="calendar days past the due date; 0 when not overdue")
    days_left: int | None = Field(description="calendar days until the due date for a running clock")


class DeadlineBoardPage(BaseModel):
    items: list[DeadlineBoardItem]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null at the end")


class DeadlineExtensionCreate(InputModel):
    """The handling judge's request to extend the enforcement period (D3); dated today by the service."""

    model_config = ConfigDict(str_strip_whitespace=False) | example(
        rule="D3", reason="被执行人名下房产正在拍卖，需延长执行期限"
    )

    rule: str = Field(description="the clock to extend; only D3 can be extended")
    reason: str = Field(min_length=1, max_length=2000)
    months: int | None = Field(None, description="optional; the extension is the court's setting (3 months)")


class DeadlineExtensionRequestRead(ORMModel):
    """A request to extend D3: asked by the handling judge, reviewed by the director, approved by the
    president, each step dated on the day it was taken."""

    id: int
    case_id: int
    rule: str
    state: ExtensionState
    reason: str
    requested_by_id: int
    requested_on: ISODate
    reviewed_by_id: int | None
    reviewed_on: ISODate | None
    approved_by_id: int | None
    approved_on: ISODate | None


class DeadlineExtensionRead(ORMModel):
    id: int
    case_id: int
    rule: str
    requested_on: ISODate
    approved_on: ISODate
    months: int
    reason: str
    approved_by_id: int
    approved_at: datetime
    deadline: DeadlineRead
