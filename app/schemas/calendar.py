from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AliasChoices
from pydantic import BaseModel
from pydantic import Field

from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import example


class CalendarYearUpdate(InputModel):
    """The year's arrangement from the State Council notice (国务院办公厅关于…部分节假日安排的通知)."""

    model_config = example(
        holidays=[
            *("2026-01-01", "2026-01-02", "2026-01-03"),
            *(f"2026-02-{day}" for day in range(15, 24)),
            *("2026-04-04", "2026-04-05", "2026-04-06"),
            *(f"2026-05-0{day}" for day in range(1, 6)),
            *("2026-06-19", "2026-06-20", "2026-06-21"),
            *("2026-09-25", "2026-09-26", "2026-09-27"),
            *(f"2026-10-0{day}" for day in range(1, 8)),
        ],
        makeup_workdays=["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"],
        source_note="国务院办公厅关于2026年部分节假日安排的通知",
    )

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
