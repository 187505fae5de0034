from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field

from app.schemas.common import InputModel, ISODate


class CalendarYearUpdate(InputModel):
    """The year's arrangement from the State Council notice (国务院办公厅关于…部分节假日安排的通知)."""

    year: int | None = Field(None, description="optional; when given it must be the year in the path")
    holidays: list[ISODate] = Field(
        max_length=366, description="statutory rest days (法定节假日及调休休息日)"
    )
    makeup_workdays: list[ISODate] = Field(
        default_factory=list, max_length=366, description="weekend days that are worked (调休上班日)"
    )
    source_note: str | None = Field(
        None,
        max_length=500,
        description="the notice, e.g. its document number",
        validation_alias=AliasChoices("source_note", "source"),
    )


class CalendarYearRead(BaseModel):
    """The working calendar in force for one year."""

    year: int
    source: Literal["court", "package", "weekends_only"] = Field(
        description="court: loaded by the court; package: library data; weekends_only: nothing known"
    )
    confirmed: bool = Field(description="false: deadlines in this year are provisional (weekends only)")
    holidays: list[ISODate]
    makeup_workdays: list[ISODate]
    source_note: str | None = None
    updated_by_id: int | None = None
    updated_at: datetime | None = None
    version: int = Field(0, description="0 until the court loads the year; send as If-Match to update")


class CalendarYearUpdated(CalendarYearRead):
    deadlines_recomputed: int = Field(description="deadlines whose computation touches this year, recomputed")
