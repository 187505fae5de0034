from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base
from app.models.base import UTCDateTime
from app.models.base import utcnow


class CalendarYear(Base):
    """The court's working-day arrangement for one year, as loaded from the State Council notice.

    It replaces the library's data for that year entirely (docs/rules.md#deadlines); dates are ISO strings.
    """

    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    holidays: Mapped[list[str]] = mapped_column(JSON)
    makeup_workdays: Mapped[list[str]] = mapped_column(JSON)  # 调休: weekend days that are worked
    source_note: Mapped[str | None] = mapped_column(Text)  # e.g. the notice's number (国办发明电〔…〕…号)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
