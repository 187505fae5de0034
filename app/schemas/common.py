"""Shared schema pieces: the read and input bases, money, dates, text, validation errors, pages."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from datetime import datetime
from decimal import Decimal
from decimal import InvalidOperation
from typing import Annotated
from typing import Any
from typing import Generic
from typing import Self
from typing import TypeVar

from pydantic import AfterValidator
from pydantic import BaseModel
from pydantic import BeforeValidator
from pydantic import ConfigDict
from pydantic import Field
from pydantic import PlainSerializer
from pydantic import ValidationError
from pydantic import WithJsonSchema
from pydantic import model_validator
from pydantic_core import InitErrorDetails
from pydantic_core import PydanticCustomError

from app.enums import Decision
from app.settings import court_today

T = TypeVar("T")


class ORMModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


M = TypeVar("M", bound=BaseModel)
_ABSENT = object()


class _Attributes:
    """The attributes of what is given by name, else of the first record that has one of that name."""

    def __init__(self, records: tuple[object, ...], given: dict[str, Any]) -> None:
        self._records, self._given = records, given

    def __getattr__(self, name: str) -> Any:
        if name in self._given:
            return self._given[name]
        for record in self._records:
            value = getattr(record, name, _ABSENT)
            if value is not _ABSENT:
                return value
        raise AttributeError(name)


def read_of(schema: type[M], *records: object, **given: Any) -> M:
    """A read schema filled from ``records``' attributes of its fields' names, and from ``given``."""
    return schema.model_validate(_Attributes(records, given), from_attributes=True)


class InputModel(BaseModel):
    """A request body: an unknown field is a 422, and text is taken without surrounding blanks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def example(**body: Any) -> ConfigDict:
    """A request body's ``model_config`` giving an example a client can send unchanged (OpenAPI
    ``examples``; the docs' "try it out" starts from it). Examples of one workflow are dated in the
    order of its steps, so that each applies after the one before."""
    return ConfigDict(json_schema_extra={"examples": [body]})


def _money_str(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


# Money leaves the API as a decimal string with two places ("45000.00"), never a float (API.md).
MoneyOut = Annotated[Decimal, PlainSerializer(_money_str, return_type=str, when_used="json")]

_MONEY_TEXT = re.compile(r"[0-9]+(\.[0-9]+)?")
_MAX_MONEY_DIGITS = 16  # Numeric(18, 2): 16 digits before the decimal point
_CENT_EXPONENT = -2


def parse_money(value: Any) -> Decimal:
    """Exact yuan from a decimal string ("45000", "45000.5", "45000.00") or a JSON integer.

    JSON numbers with a fraction are refused: a binary float cannot carry an amount exactly.
    """
    if isinstance(value, Decimal):
        text = str(value)
    elif isinstance(value, bool) or isinstance(value, float):
        raise PydanticCustomError(
            "money_type",
            'send money as a decimal string such as "45000.00", '
            "not a JSON number with a fraction or a boolean",
        )
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        raise PydanticCustomError("money_type", 'send money as a decimal string such as "45000.00"')
    if text.startswith("-"):
        raise PydanticCustomError("money_negative", "must not be negative")
    if not _MONEY_TEXT.fullmatch(text):
        raise PydanticCustomError("money_format", 'must be a decimal amount in yuan such as "45000.00"')
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise PydanticCustomError("money_format", "must be a decimal amount in yuan") from None
    if amount.as_tuple().exponent < _CENT_EXPONENT:  # type: ignore[operator]
        raise PydanticCustomError("money_precision", "at most two decimal places (fen)")
    if amount.adjusted() >= _MAX_MONEY_DIGITS:
        raise PydanticCustomError("money_too_large", f"at most {_MAX_MONEY_DIGITS} digits before the point")
    return amount.quantize(Decimal("0.01"))


# Input money: a decimal string with at most two places, ≥ 0 (API.md conventions). Integers are
# accepted as whole yuan; JSON numbers with a fraction and negative amounts are a 422 naming the field.
MoneyIn = Annotated[
    Decimal,
    BeforeValidator(parse_money),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{1,16}(\.[0-9]{1,2})?$",
            "examples": ["45000.00"],
            "description": "yuan as a decimal string, at most two decimals, not negative",
        }
    ),
]

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


def not_in_future(value: date, *, called: str | None = None) -> date:
    """``value`` unless it is after today at the court: a 422 ``date_in_future``, whose message names
    the date when it is ``called`` something (``the filing date``)."""
    today = court_today()
    if value > today:
        message = "{value} is after today ({today})"
        raise PydanticCustomError(
            "date_in_future",
            message if called is None else f"{called} {message}",
            {"value": value.isoformat(), "today": today.isoformat()},
        )
    return value


# The legal date of an act the client reports (API.md conventions): not later than today at the court.
LegalDate = Annotated[date, AfterValidator(not_in_future)]
# The date of an act that the client may leave out: the service takes today at the court.
LegalDateOrToday = Annotated[LegalDate | None, Field(description="defaults to today")]
DocumentNumber = Annotated[str, Field(min_length=1, max_length=100, examples=["（2026）豫0104执123号"])]
LongText = Annotated[str, Field(min_length=1, max_length=4000)]
# A free-text note on a step of a desk's workflow; unlike LongText it may be empty.
Note = Annotated[str, Field(max_length=4000)]
# What a record's reader may do next (and what a 409 names instead): the caller's, not the state's.
AllowedActions = Annotated[
    list[str],
    Field(
        description="the commands the caller may perform now: those the state admits that the caller's "
        "unit, role and relation to the record permit"
    ),
]

# Embedding and override characters reorder the text around them (U+202A–U+202E), isolates too
# (U+2066–U+2069): "张三\u202e司公限有" prints as another name than the one stored.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Letters that print as nothing: the Hangul fillers and the blank Braille pattern.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _invisible(char: str) -> bool:
    return char in _BLANK_LETTERS or unicodedata.category(char) in {"Cf", "Zs", "Zl", "Zp", "Mn", "Me"}


def _clean_name(value: str) -> str:
    name = unicodedata.normalize("NFC", value).strip()
    bidi = _BIDI_CONTROL.search(name)
    if bidi:
        raise PydanticCustomError(
            "name_bidi_control",
            "contains the bidirectional control U+{code}, which makes a name print as another; "
            "names may hold no embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069)",
            {"code": f"{ord(bidi.group()):04X}"},
        )
    if all(_invisible(char) for char in name):
        raise PydanticCustomError("name_invisible", "a name needs at least one visible character")
    return name


# The name of a person or an organisation (parties, filers, petitioners, applicants, contacts,
# courts and police organs): kept in Unicode NFC without surrounding blanks; a name holding a
# bidirectional control, or made only of invisible characters, is a 422 naming the field.
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_clean_name)]


def error_detail(field: str, kind: str, message: str, value: object) -> InitErrorDetails:
    """One error of a model validator that reports several at once."""
    return InitErrorDetails(type=PydanticCustomError(kind, message), loc=(field,), input=value)


def field_error(
    model: type[BaseModel], field: str, kind: str, message: str, value: object
) -> ValidationError:
    """A validation error naming ``field`` (the 422 problem's ``errors[].field``)."""
    return ValidationError.from_exception_data(model.__name__, [error_detail(field, kind, message, value)])


class DecisionInput(InputModel):
    """A leader approves or refuses what was asked; a refusal states its reason."""

    decision: Decision
    decided_on: LegalDateOrToday = None
    reason: LongText | None = Field(None, description="required when refusing")

    @model_validator(mode="after")
    def _refusal_gives_reason(self) -> Self:
        if self.decision == Decision.refuse and self.reason is None:
            raise field_error(type(self), "reason", "missing", "a refusal states its reason", None)
        return self


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(None, description="pass as `cursor` for the next page; null at the end")
