from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base


class SerialCounter(Base):
    """The last serial issued for one year, court and case-type code (执恢, 执异 …); its row is
    locked while a number is drawn, so numbers have no gaps and no duplicates."""

    __tablename__ = "serial_counter"

    year: Mapped[int] = mapped_column(primary_key=True)
    court_code: Mapped[str] = mapped_column(String(16), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    last_serial: Mapped[int] = mapped_column(default=0)
