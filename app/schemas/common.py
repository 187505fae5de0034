"""Shared schema pieces: the read and input bases, money, dates, pages."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

T = TypeVar("T")


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InputModel(BaseModel):
    """A request body: an unknown field is a 422, and text is taken without surrounding blanks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _money_str(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


# Money leaves the API as a decimal string with two places ("45000.00"), never a float (API.md).
MoneyOut = Annotated[Decimal, PlainSerializer(_money_str, return_type=str, when_used="json")]

Limit = Annotated[int, Field(ge=1, le=500, description="page size (default 50, max 500)")]

# Row ids are 32-bit on PostgreSQL: a larger number (or one below 1) names no row, and is a 422
# naming the parameter rather than an error from the database driver.
MAX_ROW_ID = 2_147_483_647
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_date(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_format", "a date as YYYY-MM-DD")


# Dates in and out are YYYY-MM-DD (API.md); a number is not taken for a Unix timestamp.
ISODate = Annotated[date, BeforeValidator(_iso_date), WithJsonSchema({"type": "string", "format": "date"})]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null at the end")
