"""Shared schema pieces: the ORM base, money, pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

T = TypeVar("T")


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


def _money_str(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


# Money leaves the API as a decimal string with two places ("45000.00"), never a float (API.md).
MoneyOut = Annotated[Decimal, PlainSerializer(_money_str, return_type=str, when_used="json")]

Limit = Annotated[int, Field(ge=1, le=500, description="page size (default 50, max 500)")]

# Row ids are 32-bit on PostgreSQL: a larger number (or one below 1) names no row, and is a 422
# naming the parameter rather than an error from the database driver.
MAX_ROW_ID = 2_147_483_647
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null at the end")
