from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base


class Unit(Base):
    """An organisational unit of docs/permissions.md (e.g. ``comprehensive``, ``brigade-2``)."""

    __tablename__ = "unit"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    is_brigade: Mapped[bool] = mapped_column(default=False)
    # Rotation position for tie-breaking brigade allocation (plan §5); kept in the database
    # so that every API process shares it.
    last_allocated_seq: Mapped[int] = mapped_column(default=0)
