"""The dishonest-respondent list (失信被执行人名单, SPC dishonest-list rules, plan §4)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import DeletionTrigger
from app.enums import DishonestGround
from app.enums import DishonestListingState
from app.models.base import Base
from app.models.base import Decided
from app.models.base import StringEnum
from app.models.base import id_order_indexes
from app.models.case import CaseRecord


class DishonestListing(Decided, CaseRecord, Base):
    """A respondent proposed for the list by the handling judge, decided by the director, and
    deleted when paid, settled or the term ends."""

    __tablename__ = "dishonest_listing"
    __table_args__ = id_order_indexes("dishonest_listing", "case_id", "state")

    respondent_id: Mapped[int] = mapped_column(ForeignKey("party.id"))
    ground: Mapped[DishonestGround] = mapped_column(StringEnum(DishonestGround, 40))
    facts: Mapped[str] = mapped_column(Text)
    state: Mapped[DishonestListingState] = mapped_column(
        StringEnum(DishonestListingState, 20), default=DishonestListingState.proposed
    )
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    proposed_on: Mapped[date]

    extra_years: Mapped[int] = mapped_column(default=0)
    term_years: Mapped[int | None]  # None: no fixed term (SPC dishonest-list rules art. 2)
    term_ends_on: Mapped[date | None]

    deletion_trigger: Mapped[DeletionTrigger | None] = mapped_column(StringEnum(DeletionTrigger, 30))
    deletion_triggered_on: Mapped[date | None]
    deletion_triggered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    deleted_on: Mapped[date | None]
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    note: Mapped[str | None] = mapped_column(Text)
