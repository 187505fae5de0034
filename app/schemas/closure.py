"""Closing a case (结案), the 终本 pool and restoration (恢复执行), plan §5 and §5."""

from __future__ import annotations

from pydantic import BaseModel
from pydantic import Field

from app.enums import CaseState
from app.enums import ClosureMode
from app.enums import RecheckMethod
from app.enums import RecheckResult
from app.enums import TerminationPoolStatus
from app.schemas.common import DocumentNumber
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import LegalDate
from app.schemas.common import LongText
from app.schemas.common import MoneyOut
from app.schemas.common import ORMModel
from app.schemas.common import example


class ClosureCreate(InputModel):
    """Close the case (the handling judge). 终本 passes the gate (docs/rules.md#gate) or names what is
    missing."""

    model_config = example(mode="performed", closed_on="2026-07-15", reason="执行款已全部发还申请执行人")

    mode: ClosureMode
    closed_on: LegalDate | None = Field(None, description="date of the closing document; defaults to today")
    document_number: DocumentNumber | None = Field(
        None,
        description="the closing document's number; a ruling (terminated_current, terminated, "
        "rejected, not_enforced) without one bears the case number",
    )
    reason: LongText | None = None


class TerminationPoolEntryRead(ORMModel):
    case_id: int
    case_number: str
    unit_code: str
    handler_id: int | None
    entered_on: ISODate = Field(description="the 终本 ruling's date")
    ends_on: ISODate = Field(description="the last re-check: 5 years after entry")
    rechecks: list[ISODate] = Field(description="re-check dates: every 6 months after entry")
    next_recheck_on: ISODate | None = Field(
        description="first re-check from today; null once over or restored"
    )
    status: TerminationPoolStatus
    restored_case_id: int | None
    left_on: ISODate | None


class ClosureRead(BaseModel):
    case_id: int
    case_number: str
    state: CaseState
    mode: ClosureMode
    closed_on: ISODate
    document_number: str | None
    reason: str | None
    closed_by: int
    version: int = Field(description="the case version after closing (its ETag)")
    termination_pool: TerminationPoolEntryRead | None = Field(description="for 终本: the pool entry")
    gate_evidence: dict[str, list[int]] | None = Field(
        description="for 终本: the measures (ids) that met each condition"
    )
    dishonest_deletions_triggered: list[int] = Field(description="listings now due for deletion (D11)")
    disposal_requests_withdrawn: list[int]


class RestorationCreate(InputModel):
    """Restore a 终本 case (恢复执行) when property is found: a new linked case, filed again."""

    model_config = example(reason="申请执行人提供被执行人新的财产线索：小型轿车一辆")

    restored_on: LegalDate | None = Field(None, description="date of restoration (filing of the new case)")
    reason: LongText | None = Field(None, description="why: e.g. the property found and where")


class RestorationRead(BaseModel):
    origin_case_id: int
    case_id: int = Field(description="the new case")
    case_number: str = Field(examples=["（2026）豫0104执恢12号"])
    state: CaseState
    filed_on: ISODate
    claim_amount: MoneyOut | None = Field(description="what remained unpaid on the original case")
    version: int


class RecheckCreate(InputModel):
    """A re-check of a 终本 pool case (定期查询)."""

    model_config = example(
        checked_on="2026-08-03",
        method="network_inquiry",
        result="nothing_found",
        notes="网络查控未发现可供执行的财产",
    )

    checked_on: LegalDate = Field(description="the date of the inquiry")
    method: RecheckMethod = Field(description="network_inquiry (网络查控), onsite or other")
    result: RecheckResult = Field(description="nothing_found or property_found")
    clue_pending: bool = Field(False, description="a property clue is still being verified")
    notes: LongText | None = None


class RecheckRead(ORMModel):
    id: int
    case_id: int
    checked_on: ISODate
    method: RecheckMethod
    result: RecheckResult
    clue_pending: bool
    notes: str | None
    recorded_by_id: int
    dishonest_deletion_offered: list[int] = Field(
        default_factory=list,
        description="active listings that may now be deleted (trigger pool_rechecks_empty): the last "
        "re-checks in a row found nothing and no clue is pending",
    )
