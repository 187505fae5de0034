"""Enforcement measures: ``MeasureCreate`` (what the handling team records), ``MeasureRead``."""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices
from pydantic import Field
from pydantic import ValidationError
from pydantic import model_validator
from pydantic_core import InitErrorDetails

from app.enums import MeasureKind
from app.enums import OnsiteCheckSubject
from app.enums import SuspensionKind
from app.rules.termination_gate import months_after
from app.schemas.common import DocumentNumber
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import LegalDate
from app.schemas.common import LongText
from app.schemas.common import MoneyIn
from app.schemas.common import MoneyOut
from app.schemas.common import ORMModel
from app.schemas.common import RowId
from app.schemas.common import error_detail
from app.schemas.common import example
from app.settings import get_settings

# Court documents (notices, orders, rulings, decisions) carry a number and a signer (plan §4).
DOCUMENT_KINDS = frozenset(
    {
        MeasureKind.execution_notice,
        MeasureKind.property_report_order,
        MeasureKind.summons,
        MeasureKind.fine,
        MeasureKind.judicial_detention,
        MeasureKind.consumption_ban,
        MeasureKind.disposal_document,
    }
)
# 暂缓执行 is decided and 中止 ruled in writing; public notice and appraisal periods need no new document.
DOCUMENT_SUSPENSIONS = frozenset({SuspensionKind.deferral, SuspensionKind.suspension})
AMOUNT_KINDS = frozenset({MeasureKind.fine, MeasureKind.payment_received})
SUBTYPES: dict[MeasureKind, type[OnsiteCheckSubject] | type[SuspensionKind]] = {
    MeasureKind.onsite_property_check: OnsiteCheckSubject,
    MeasureKind.suspension: SuspensionKind,
}


class MeasureCreate(InputModel):
    """A measure taken on the case (plan §5(3)); which fields apply depends on ``kind``."""

    model_config = example(
        kind="online_property_check",
        on="2026-03-10",
        result="网络查控：中国工商银行存款30000.00元已冻结，未发现其他存款",
    )

    kind: MeasureKind
    on: LegalDate = Field(description="legal date: served, issued, checked, heard or paid; not before filing")
    document_number: DocumentNumber | None = Field(
        None,
        description="required for documents: notices, orders, decisions, the disposal ruling, "
        "and deferral/suspension decisions",
    )
    signed_by: RowId | None = Field(
        None,
        description="the handling judge's own user id, when he records a document he signs; omitted for "
        "the documents the president approves (fine, detention, consumption ban): the director reviews "
        "them and the president approves them, each under their own login",
    )
    respondent_id: RowId | None = Field(None, description="the respondent (party id) the measure is aimed at")
    amount: MoneyIn | None = Field(None, description="yuan: the fine, or the payment received")
    detention_days: int | None = Field(None, ge=1, description="judicial detention only")
    served_on: LegalDate | None = Field(
        None,
        description="documents: the day the party received it (送达回证); the jurisdiction-objection "
        "window runs from the execution notice's",
    )
    subtype: str | None = Field(
        None,
        validation_alias=AliasChoices("subtype", "suspension_kind"),
        description="onsite_property_check: real_estate | vehicles | business_registration; "
        "suspension (also accepted as suspension_kind): deferral | suspension | public_notice | "
        "appraisal_auction",
    )
    starts_on: ISODate | None = Field(None, description="suspension: first day (defaults to `on`)")
    ends_on: ISODate | None = Field(None, description="suspension: last day; required for a deferral")
    suspension_id: RowId | None = Field(
        None, description="suspension_end: the suspension it ends (optional when only one is running)"
    )
    result: LongText | None = Field(None, description="what the check, search or hearing found")
    notes: LongText | None = None

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> MeasureCreate:
        settings = get_settings()
        errors: list[InitErrorDetails] = []
        kind = self.kind
        subtype_enum = SUBTYPES.get(kind)
        if subtype_enum is None and self.subtype is not None:
            errors.append(
                error_detail("subtype", "not_for_kind", f"a {kind} measure has no subtype", self.subtype)
            )
        elif subtype_enum is not None:
            allowed = [m.value for m in subtype_enum]
            if self.subtype not in allowed:
                errors.append(
                    error_detail(
                        "subtype",
                        "subtype",
                        f"a {kind} measure needs a subtype: one of " + ", ".join(allowed),
                        self.subtype,
                    )
                )
        needs_document = kind in DOCUMENT_KINDS or (
            kind == MeasureKind.suspension and self.subtype in DOCUMENT_SUSPENSIONS
        )
        if needs_document:
            # Plan §4: every court document is signed ("谁办案谁负责") and numbered.
            if self.document_number is None:
                errors.append(
                    error_detail(
                        "document_number",
                        "missing",
                        f"a {self.subtype or kind} document needs its document number",
                        None,
                    )
                )
            if self.signed_by is None and kind not in settings.president_approved_measures:
                errors.append(
                    error_detail(
                        "signed_by", "missing", f"a {self.subtype or kind} document needs its signer", None
                    )
                )
        if self.served_on is not None and not needs_document:
            errors.append(
                error_detail("served_on", "not_for_kind", f"a {kind} measure is not served", self.served_on)
            )
        elif self.served_on is not None and self.served_on < self.on:
            errors.append(
                error_detail(
                    "served_on",
                    "served_before_issued",
                    "a document is received after it is issued",
                    self.served_on,
                )
            )
        if kind in AMOUNT_KINDS:
            if self.amount is None or self.amount <= 0:
                errors.append(
                    error_detail("amount", "missing", f"a {kind} needs an amount above zero", self.amount)
                )
        elif self.amount is not None:
            errors.append(
                error_detail("amount", "not_for_kind", f"a {kind} measure has no amount", self.amount)
            )
        if kind == MeasureKind.judicial_detention:
            # CPL (2023) art. 118: detention of at most 15 days.
            if self.detention_days is None or self.detention_days > settings.detention_max_days:
                errors.append(
                    error_detail(
                        "detention_days",
                        "detention_days",
                        f"detention needs its length, 1–{settings.detention_max_days} days",
                        self.detention_days,
                    )
                )
        elif self.detention_days is not None:
            errors.append(
                error_detail(
                    "detention_days",
                    "not_for_kind",
                    f"a {kind} measure has no detention days",
                    self.detention_days,
                )
            )
        errors += self._period_errors(settings.deferral_max_months)
        if kind != MeasureKind.suspension_end and self.suspension_id is not None:
            errors.append(
                error_detail(
                    "suspension_id",
                    "not_for_kind",
                    "only a suspension_end names a suspension",
                    self.suspension_id,
                )
            )
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self

    def _period_errors(self, deferral_max_months: int) -> list[InitErrorDetails]:
        if self.kind != MeasureKind.suspension:
            return [
                error_detail(name, "not_for_kind", "only a suspension has a period", getattr(self, name))
                for name in ("starts_on", "ends_on")
                if getattr(self, name) is not None
            ]
        if self.starts_on is None:
            self.starts_on = self.on
        errors: list[InitErrorDetails] = []
        if self.ends_on is not None and self.ends_on < self.starts_on:
            errors.append(
                error_detail("ends_on", "period", "the period cannot end before it starts", self.ends_on)
            )
        if self.subtype == SuspensionKind.deferral:
            # SPC deferral rules 2002 (暂缓执行): at most three months.
            if self.ends_on is None:
                errors.append(error_detail("ends_on", "missing", "a deferral needs its last day", None))
            elif self.ends_on > months_after(self.starts_on, deferral_max_months):
                errors.append(
                    error_detail(
                        "ends_on",
                        "deferral_too_long",
                        f"a deferral lasts at most {deferral_max_months} months "
                        f"(until {months_after(self.starts_on, deferral_max_months)})",
                        self.ends_on,
                    )
                )
        return errors


class MeasureRead(ORMModel):
    id: int
    case_id: int
    kind: MeasureKind
    subtype: str | None
    on: ISODate = Field(validation_alias="taken_on")
    document_number: str | None
    signed_by: RowId | None = Field(validation_alias="signed_by_id")
    reviewed_by: RowId | None = Field(
        validation_alias="reviewed_by_id", description="the director who reviewed it"
    )
    reviewed_on: ISODate | None
    approved_by: RowId | None = Field(
        validation_alias="approved_by_id", description="the president who approved it"
    )
    approved_on: ISODate | None = Field(description="a president's document counts from this day")
    respondent_id: int | None
    amount: MoneyOut | None
    detention_days: int | None
    served_on: ISODate | None
    starts_on: ISODate | None
    ends_on: ISODate | None
    ended_on: ISODate | None = Field(description="suspension: the day its suspension_end recorded")
    suspension_id: int | None
    result: str | None
    notes: str | None
    recorded_by: int = Field(validation_alias="recorded_by_id")
    recorded_at: datetime
