"""Declarative base with a naming convention and the column types every model shares."""

from __future__ import annotations

from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any
from typing import TypeVar

from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import MetaData
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import TypeDecorator
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CENT = Decimal("0.01")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """Exact yuan with two decimals: Numeric(18, 2), always read back as a quantised Decimal."""

    impl = Numeric(18, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect):  # type: ignore[no-untyped-def]
        if value is None:
            return None
        value = Decimal(value).quantize(CENT)
        return str(value) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else Decimal(str(value)).quantize(CENT)


E = TypeVar("E", bound=StrEnum)


class StringEnum(TypeDecorator[E]):
    """A vocabulary of app/enums.py stored as its value in a VARCHAR: read back as the member; bound
    from the member or its exact value, anything else is refused before it reaches the database."""

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length)
        # Kept under the arguments' names: SQLAlchemy builds the type's cache key from them.
        self.enum_class = enum_class
        self.length = length

    @property
    def python_type(self) -> type[E]:
        return self.enum_class

    def process_bind_param(self, value: E | str | None, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: str | None, dialect):  # type: ignore[no-untyped-def]
        return None if value is None else self.enum_class(value)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class VersionedRecord:
    """What every desk record (a case, a transfer, an objection…) keeps besides its own facts: when it
    was made and last changed, and the version an ``If-Match`` names; SQLAlchemy's version counter
    refuses a write over a version someone else has changed meanwhile."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.version}


class Requested:
    """A record someone asks for: who asked, and on which day."""

    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_on: Mapped[date]


class Decided:
    """A request a leader decides (app.services.workflow.record_decision): who decided, on which day
    and why; none of it until then."""

    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_on: Mapped[date | None]
    decision_reason: Mapped[str | None] = mapped_column(Text)


def id_order_indexes(table: str, *columns: str) -> tuple[Index, ...]:
    """One index per column a list filters on, pages being read in id order (keyset paging)."""
    return tuple(Index(f"ix_{table}_{column}_id", column, "id") for column in columns)


def compared_by_autogenerate(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    """Alembic's ``include_object``: the PostgreSQL-only trigram search indexes (written by hand in
    their migration) are left out of autogenerate and of the schema checks."""
    return not (type_ == "index" and name and name.endswith("_trgm"))
