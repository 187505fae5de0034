from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base
from app.models.base import UTCDateTime


class LoginThrottle(Base):
    """A count of failed logins: for one account from one address (``scope`` ``account_address``), for
    one account from every address (``account``, ``address`` empty) or for one address whatever the
    account (``address``, ``username`` empty). The rules are in app.services.login_throttle."""

    __tablename__ = "login_throttle"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the latest counted attempt
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # account_address only: the account's owner logged in from this address then
    succeeded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
