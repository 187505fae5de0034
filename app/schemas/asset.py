"""Assets found by the property investigation (财产查控): ``AssetCreate`` and ``AssetRead``."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from pydantic import Field
from pydantic import StrictBool

from app.enums import AssetKind
from app.enums import AssetStatus
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import MoneyIn
from app.schemas.common import MoneyOut
from app.schemas.common import ORMModel
from app.schemas.common import Page
from app.schemas.common import example


class AssetCreate(InputModel):
    """An asset the investigation found, and the measure now on it."""

    model_config = example(
        kind="bank_deposit",
        value="30000.00",
        status="frozen",
        disposable=True,
        description="中国工商银行郑州分行账户",
        controlled_on="2026-03-05",
    )

    kind: AssetKind
    value: MoneyIn = Field(description="estimated value in yuan")
    status: AssetStatus = Field(description="found (查询到), frozen (冻结), sealed (查封) or seized (扣押)")
    disposable: StrictBool = Field(
        description="false when the asset cannot be disposed of for now (暂时不能处分)"
    )
    description: str | None = Field(None, max_length=2000, description="account, plate number, address …")
    controlled_on: ISODate | None = Field(
        None,
        description="the date it was frozen, sealed or seized; required for those, absent for found",
    )


class AssetRead(ORMModel):
    id: int
    case_id: int
    kind: AssetKind
    value: MoneyOut
    status: AssetStatus
    disposable: bool
    description: str | None
    controlled_on: date | None
    expires_on: date | None = Field(description="the day the freeze or seal lapses unless renewed (D12)")
    released_on: date | None = Field(description="the day the freeze or seal was released")
    recorded_by_id: int
    recorded_at: datetime


class AssetRenewal(InputModel):
    """A renewal of a freeze or seal (续冻/续封)."""

    model_config = example(renewed_on="2026-06-01", document_number="（2026）豫0104执123号之三")

    renewed_on: ISODate = Field(description="the date of the renewal ruling or notice")
    document_number: str = Field(min_length=1, max_length=100, description="the renewal document's number")
    expires_on: ISODate | None = Field(
        None, description="the new expiry; by default the previous expiry plus the asset kind's term"
    )


class AssetRelease(InputModel):
    """A release of a freeze or seal (解除冻结/解除查封)."""

    model_config = example(released_on="2026-07-10", document_number="（2026）豫0104执123号之四")

    released_on: ISODate = Field(description="the date of the release ruling or notice")
    document_number: str = Field(min_length=1, max_length=100, description="the release document's number")


AssetList = Page[AssetRead]
