"""Case intake and reading: ``CaseCreate`` (what the filing division sends), ``CaseRead`` (one case),
``CaseListItem`` (a row of ``GET /cases``)."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from enum import StrEnum
from typing import Any
from typing import Self

from pydantic import BaseModel
from pydantic import Field
from pydantic import ValidationError
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic import model_validator
from pydantic_core import InitErrorDetails
from pydantic_core import PydanticCustomError

from app.enums import AssetKind
from app.enums import Behaviour
from app.enums import CaseState
from app.enums import Category
from app.enums import ClosureMode
from app.enums import IdDocumentKind
from app.enums import PartyRole
from app.enums import PartyType
from app.enums import RespondentClass
from app.enums import Track
from app.errors import FieldError
from app.rules.identifiers import DOCUMENTS_BY_PARTY_TYPE
from app.rules.identifiers import normalise_case_number
from app.rules.identifiers import validate_id_document
from app.schemas.common import AllowedActions
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import MoneyIn
from app.schemas.common import MoneyOut
from app.schemas.common import Name
from app.schemas.common import ORMModel
from app.schemas.common import example
from app.schemas.common import not_in_future
from app.schemas.deadline import DeadlineRead
from app.settings import get_settings

# Civil Code arts. 2, 57, 102: a natural person, a legal person or an unincorporated organisation;
# each kind of respondent belongs to one of them.
_CLASSES_BY_PARTY_TYPE: dict[PartyType, frozenset[RespondentClass]] = {
    PartyType.natural_person: frozenset(
        {
            RespondentClass.individual,
            RespondentClass.state_functionary,
            RespondentClass.public_institution_staff,
        }
    ),
    PartyType.legal_person: frozenset(
        {RespondentClass.enterprise, RespondentClass.government_organ, RespondentClass.other_org}
    ),
    PartyType.unincorporated_org: frozenset(
        {RespondentClass.enterprise, RespondentClass.government_organ, RespondentClass.other_org}
    ),
}


class PartyIn(InputModel):
    name: Name
    party_type: PartyType
    id_kind: IdDocumentKind | None = Field(
        None,
        description="the document the number is taken from; when omitted, resident_id for natural persons "
        "and uscc for legal persons and unincorporated organisations",
    )
    id_number: str | None = Field(
        None,
        max_length=32,
        description="the number of the id_kind document, checked by its standard (resident IDs, residence "
        "permits and the 2023 permanent residence card: GB 11643; unified social credit codes: GB 32100; "
        "organisation codes: GB 11714; passports: as printed); null when not known",
    )
    id_issuing_country: str | None = Field(
        None,
        pattern=r"^[A-Z]{3}$",
        validate_default=True,
        description="passports only: the issuing country (ISO 3166-1 alpha-3, e.g. KOR)",
        examples=["KOR"],
    )

    @field_validator("id_kind")
    @classmethod
    def _kind_fits(cls, value: IdDocumentKind | None, info: ValidationInfo) -> IdDocumentKind | None:
        party_type = info.data.get("party_type")
        if value is not None and party_type is not None and value not in DOCUMENTS_BY_PARTY_TYPE[party_type]:
            fitting = ", ".join(DOCUMENTS_BY_PARTY_TYPE[party_type])
            raise PydanticCustomError(
                "id_kind",
                "a {party_type} is identified by one of: {fitting}",
                {"party_type": party_type.value, "fitting": fitting},
            )
        return value

    @field_validator("id_number", mode="before")
    @classmethod
    def _blank_is_missing(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("id_number")
    @classmethod
    def _check_id_number(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = _document_kind(info.data)
        if value is None or kind is None:
            return value
        try:
            return validate_id_document(kind, value)  # the document's own standard and check character
        except ValueError as exc:
            raise PydanticCustomError(kind.value, str(exc)) from None

    @field_validator("id_issuing_country")
    @classmethod
    def _country_only_for_passports(cls, value: str | None, info: ValidationInfo) -> str | None:
        kind = _document_kind(info.data)
        if kind == IdDocumentKind.passport and value is None and info.data.get("id_number"):
            raise PydanticCustomError("id_issuing_country", "a passport needs its issuing country")
        if kind != IdDocumentKind.passport and value is not None:
            raise PydanticCustomError("id_issuing_country", "only a passport has an issuing country")
        return value

    @model_validator(mode="after")
    def _named_kind(self) -> Self:
        if self.id_number is not None and self.id_kind is None:
            self.id_kind = DOCUMENTS_BY_PARTY_TYPE[self.party_type][0]
        return self


def _document_kind(data: dict[str, Any]) -> IdDocumentKind | None:
    party_type = data.get("party_type")
    if party_type is None or "id_kind" not in data:
        return None  # the party type or the named kind was itself invalid: reported there
    return data["id_kind"] or DOCUMENTS_BY_PARTY_TYPE[party_type][0]


class ApplicantIn(PartyIn):
    """An applicant (申请执行人)."""

    respondent_class: RespondentClass | None = Field(None, description="only for respondents; ignored here")


class RespondentIn(PartyIn):
    """A respondent (被执行人); its class matters to triage rule T5."""

    respondent_class: RespondentClass

    @field_validator("respondent_class")
    @classmethod
    def _class_fits_party_type(cls, value: RespondentClass, info: ValidationInfo) -> RespondentClass:
        party_type = info.data.get("party_type")
        if party_type is not None and value not in _CLASSES_BY_PARTY_TYPE[party_type]:
            fitting = ", ".join(sorted(_CLASSES_BY_PARTY_TYPE[party_type]))
            raise PydanticCustomError(
                "respondent_class",
                "a {party_type} respondent must be one of: {fitting}",
                {"party_type": party_type.value, "fitting": fitting},
            )
        return value


class PropertyClueIn(InputModel):
    """A property clue the applicant supplies at filing (财产线索)."""

    kind: AssetKind
    description: str = Field(min_length=1, max_length=2000)


CASE_EXAMPLE: dict[str, Any] = {
    "case_number": "（2026）豫0104执123号",
    "filed_on": "2026-03-02",
    "category": "civil_commercial",
    "claim_amount": "45000.00",
    "applicants": [{"name": "张三", "party_type": "natural_person", "id_number": "410102198506121231"}],
    "respondents": [
        {
            "name": "郑州某某贸易有限公司",
            "party_type": "legal_person",
            "id_number": "91410104MA9K3R7T22",
            "respondent_class": "enterprise",
        }
    ],
    "property_clues": [{"kind": "bank_deposit", "description": "中国工商银行郑州分行账户"}],
}


class CaseCreate(InputModel):
    """A case as filed by the filing division (立案, plan §5(1))."""

    model_config = example(**CASE_EXAMPLE)

    case_number: str = Field(
        min_length=1,
        max_length=64,
        examples=["（2026）豫0104执123号"],
        description="案号 with full-width or ASCII parentheses; stored with full-width",
    )
    filed_on: ISODate = Field(description="filing date (立案日期); not in the future")
    category: Category
    claim_amount: MoneyIn | None = Field(None, description="claim in yuan; null only for behavioural cases")
    behaviour: Behaviour | None = None
    applicants: list[ApplicantIn] = Field(min_length=1, max_length=100)
    respondents: list[RespondentIn] = Field(min_length=1, max_length=100)
    property_clues: list[PropertyClueIn] = Field(default_factory=list, max_length=200)

    @field_validator("case_number")
    @classmethod
    def _normalise_case_number(cls, value: str) -> str:
        # SPC case-number rules 2015: （year）court code, type code, serial 号; enforcement type codes only.
        try:
            number = normalise_case_number(value)
        except ValueError as exc:
            raise PydanticCustomError("case_number", str(exc)) from None
        accepted = get_settings().intake_type_codes
        if number.type_code not in accepted:
            # Plan §5(1): only the codes the filing division sends; 执恢 and 执异 are numbered here.
            raise PydanticCustomError(
                "case_type_code",
                "type code {type_code} is not filed at intake; accepted: {accepted}",
                {"type_code": number.type_code, "accepted": "、".join(accepted)},
            )
        return number.text

    @field_validator("filed_on")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        return not_in_future(value, called="the filing date")

    @model_validator(mode="after")
    def _consistent(self) -> CaseCreate:
        errors: list[InitErrorDetails] = []
        year = normalise_case_number(self.case_number).year
        if year != self.filed_on.year:
            # SPC case-number rules 2015, art. 3: the year in the number is the year of filing.
            errors.append(
                InitErrorDetails(
                    type=PydanticCustomError(
                        "case_number_year",
                        "the year {year} in the case number is not the year of filed_on ({filed_on})",
                        {"year": year, "filed_on": self.filed_on.isoformat()},
                    ),
                    loc=("case_number",),
                    input=self.case_number,
                )
            )
        if self.claim_amount is None and self.behaviour is None:
            # docs/rules.md#triage: only a purely behavioural case has no monetary claim.
            errors.append(
                InitErrorDetails(
                    type=PydanticCustomError(
                        "missing_claim",
                        "a claim amount is required unless the case is behavioural (set behaviour)",
                    ),
                    loc=("claim_amount",),
                    input=None,
                )
            )
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
        return self


# Reading -----------------------------------------------------------------------------------------


class PartyRead(ORMModel):
    id: int
    role: PartyRole
    name: str
    party_type: PartyType
    id_kind: IdDocumentKind | None
    id_number: str | None = Field(description="masked (110105********002X) for roles that do not need it")
    id_number_masked: bool
    id_issuing_country: str | None
    respondent_class: RespondentClass | None


class PropertyClueRead(ORMModel):
    id: int
    kind: AssetKind
    description: str


class CaseAssetRead(ORMModel):
    id: int
    kind: AssetKind
    value: MoneyOut
    status: str
    disposable: bool
    description: str | None
    controlled_on: date | None
    recorded_at: datetime


class CaseTriageRuleRead(BaseModel):
    id: str
    explanation: str


class CaseTriageRead(ORMModel):
    """The latest triage decision or hand-back re-allocation on the case."""

    kind: str
    track: str
    rules: list[CaseTriageRuleRead]
    rule_set_version: str
    override_track: str | None
    reason: str | None
    unit: str = Field(validation_alias="unit_code")
    handler_id: int | None
    allocation_reason: str
    decided_by_id: int
    decided_by: str = Field(description="username of who decided")
    decided_at: datetime


class CaseRead(ORMModel):
    """One case with its parties, clues, assets, triage, deadlines and what the caller may do next."""

    id: int
    case_number: str
    filed_on: date
    category: Category
    claim_amount: MoneyOut | None
    paid_amount: MoneyOut
    behaviour: Behaviour | None
    state: CaseState
    track: Track | None
    unit: str | None = Field(description="unit code of the handling team, e.g. fast or brigade-2")
    handler_id: int | None
    registered_at: datetime | None
    investigation_completed: bool
    willing_to_perform: bool
    settlement_likely: bool
    closure_mode: ClosureMode | None
    closed_on: date | None
    origin_case_id: int | None
    account_reference: str = Field(
        description="the case account reference (一案一账号) a payer quotes; the execution notice gives it"
    )
    created_at: datetime
    updated_at: datetime
    version: int
    parties: list[PartyRead]
    applicants: list[PartyRead]
    respondents: list[PartyRead]
    property_clues: list[PropertyClueRead]
    assets: list[CaseAssetRead]
    triage: CaseTriageRead | None
    deadlines: list[DeadlineRead] = Field(description="the case's legal deadline clocks, by due date")
    allowed_actions: AllowedActions


class CaseListItem(ORMModel):
    """A compact row: no identity numbers in lists."""

    id: int
    case_number: str
    filed_on: date
    category: Category
    claim_amount: MoneyOut | None
    behaviour: Behaviour | None
    state: CaseState
    track: Track | None
    unit: str | None
    handler_id: int | None
    closure_mode: ClosureMode | None
    version: int
    applicant_names: list[str]
    respondent_names: list[str]


# Bulk intake -------------------------------------------------------------------------------------

MAX_BATCH_CASES = 1000  # cases per POST /cases/batch (issue 17); bodies also within the body limit


class BatchOutcome(StrEnum):
    created = "created"
    already_filed = "already_filed"
    invalid = "invalid"


class CaseBatchItem(BaseModel):
    """One case of a batch, at its index in the request: created (its id), already filed (the
    existing case's id) or invalid (the fields at fault, named as in ``POST /cases``)."""

    index: int
    outcome: BatchOutcome
    id: int | None = None
    case_number: str | None = None
    errors: list[FieldError] | None = None


class CaseBatchRead(BaseModel):
    """What ``POST /cases/batch`` did, case by case in request order."""

    created: int
    already_filed: int
    invalid: int
    items: list[CaseBatchItem]
