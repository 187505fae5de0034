"""Registration at the command center (登记) and the investigation outcome (查控结果)."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from pydantic import Field
from pydantic import StrictBool
from pydantic import model_validator
from pydantic_core import PydanticCustomError

from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import ORMModel
from app.schemas.common import example

_NOTE = Field(None, max_length=2000, description="free text kept in the case's audit trail")


class RegistrationCreate(InputModel):
    """Register a filed case and record what the property investigation found so far."""

    model_config = example(
        registered_on="2026-03-03",
        investigation_completed=False,
        willing_to_perform=False,
        settlement_likely=False,
        note="网络查控已发起",
    )

    registered_on: ISODate | None = Field(
        None, description="date of registration; today (court time) when absent; not before filed_on"
    )
    investigation_completed: StrictBool = Field(False, description="the property investigation is finished")
    willing_to_perform: StrictBool = Field(False, description="the respondent agrees to perform voluntarily")
    settlement_likely: StrictBool = Field(False, description="the parties may settle (和解可能)")
    note: str | None = _NOTE


class InvestigationUpdate(InputModel):
    """A later investigation outcome; fields left out keep their recorded value."""

    model_config = example(investigation_completed=True, note="网络查控完毕：冻结中国工商银行存款30000.00元")

    investigation_completed: StrictBool | None = None
    willing_to_perform: StrictBool | None = None
    settlement_likely: StrictBool | None = None
    note: str | None = _NOTE

    @model_validator(mode="after")
    def _something_to_record(self) -> InvestigationUpdate:
        flags = (self.investigation_completed, self.willing_to_perform, self.settlement_likely)
        if all(flag is None for flag in flags):
            raise PydanticCustomError(
                "missing",
                "give at least one of investigation_completed, willing_to_perform, settlement_likely",
            )
        return self


class InvestigationRead(ORMModel):
    """The case's investigation outcome as triage will read it."""

    case_id: int
    state: str
    investigation_completed: bool
    willing_to_perform: bool
    settlement_likely: bool
    note: str | None
    version: int


class RegistrationRead(InvestigationRead):
    registered_at: datetime
    registered_on: date
