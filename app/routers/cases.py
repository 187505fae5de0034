from __future__ import annotations

from functools import lru_cache
from typing import Annotated
from typing import Any

from fastapi import APIRouter
from fastapi import Body
from fastapi import Depends
from fastapi import Header
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic import TypeAdapter
from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.deps import Authorized
from app.deps import BearerToken
from app.deps import IdempotencyKeyHeader
from app.deps import SessionDep
from app.deps import active_user
from app.deps import authorized_account
from app.deps import create_once
from app.deps import created_response
from app.deps import permitted
from app.deps import schema_response
from app.enums import CaseState
from app.enums import PartyRole
from app.enums import Track
from app.errors import Forbidden
from app.errors import NotFound
from app.errors import field_errors
from app.errors import problem_responses
from app.models.case import Case
from app.models.user import Account
from app.models.user import User
from app.routing import API_PREFIX
from app.routing import Listing
from app.routing import PlainCursor
from app.routing import add_routes
from app.rules.money import account_reference
from app.schemas.audit import AuditEntryRead
from app.schemas.case import CASE_EXAMPLE
from app.schemas.case import MAX_BATCH_CASES
from app.schemas.case import ApplicantIn
from app.schemas.case import BatchOutcome
from app.schemas.case import CaseBatchItem
from app.schemas.case import CaseBatchRead
from app.schemas.case import CaseCreate
from app.schemas.case import CaseListItem
from app.schemas.case import CaseRead
from app.schemas.case import RespondentIn
from app.schemas.common import ISODate
from app.schemas.common import Limit
from app.schemas.common import Page
from app.schemas.common import RowId
from app.security import bearer_user_id
from app.services import case_queries
from app.services import idempotency
from app.services import intake
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["cases"])


def _case_url(case_id: int) -> str:
    return f"{API_PREFIX}/cases/{case_id}"


@lru_cache
def _shown_columns(schema: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name in Case.__table__.columns.keys() if name in schema.model_fields)


def _columns(case: Any, schema: type[BaseModel]) -> dict[str, Any]:
    """The case's column values that the schema shows (its lists are read separately); ``case`` is a
    ``Case`` or a row of its columns."""
    return {name: getattr(case, name) for name in _shown_columns(schema)}


def _new_case(body: CaseCreate) -> intake.NewCase:
    return intake.NewCase(
        case_number=body.case_number,
        filed_on=body.filed_on,
        category=body.category,
        claim_amount=body.claim_amount,
        behaviour=body.behaviour,
        applicants=[_new_party(p) for p in body.applicants],
        respondents=[_new_party(p) for p in body.respondents],
        property_clues=[intake.NewClue(kind=c.kind, description=c.description) for c in body.property_clues],
    )


def _file(session: Session, user: Account, body: CaseCreate) -> case_queries.CaseDetail:
    return intake.file_case(session, user=user, new=_new_case(body))


def _new_party(party: ApplicantIn | RespondentIn) -> intake.NewParty:
    return intake.NewParty(
        name=party.name,
        party_type=party.party_type,
        id_number=party.id_number,
        respondent_class=party.respondent_class,
        id_kind=party.id_kind,
        id_issuing_country=party.id_issuing_country,
    )


def _case_read(detail: case_queries.CaseDetail) -> CaseRead:
    case = detail.case
    return CaseRead.model_validate(
        {
            **_columns(case, CaseRead),
            "unit": case.unit_code,
            "account_reference": account_reference(case.court_code, case.id),
            "parties": detail.parties,
            "applicants": [p for p in detail.parties if p.role == PartyRole.applicant],
            "respondents": [p for p in detail.parties if p.role == PartyRole.respondent],
            "property_clues": detail.property_clues,
            "assets": detail.assets,
            "triage": detail.triage,
            "deadlines": detail.deadlines,
            "allowed_actions": detail.allowed_actions,
        }
    )


def _list_item(row: case_queries.CaseListRow) -> CaseListItem:
    case = row.case
    return CaseListItem.model_validate(
        {
            **_columns(case, CaseListItem),
            "unit": case.unit_code,
            "applicant_names": row.applicant_names,
            "respondent_names": row.respondent_names,
        }
    )


@router.post(
    "/cases",
    operation_id="create_case",
    status_code=201,
    response_model=CaseRead,
    responses=problem_responses(Forbidden, intake.DuplicateCaseNumber, IdempotencyKeyReused),
)
def create_case(
    body: CaseCreate,
    session: SessionDep,
    user: Annotated[Account, authorized_account("case.create")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """File an enforcement case (立案); 409 when its case number is already filed."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation="create_case",
        payload=body,
        create=lambda: _case_read(_file(session, user, body)),
        location=lambda created: _case_url(created["id"]),
    )


def _file_batch(session: Session, user: Account, cases: list[Any]) -> CaseBatchRead:
    """Validate each item as ``POST /cases`` does, file the valid ones together, report each in order."""
    items: list[CaseBatchItem | None] = [None] * len(cases)
    valid: list[tuple[int, CaseCreate]] = []
    for index, raw in enumerate(cases):
        try:
            valid.append((index, CaseCreate.model_validate(raw)))
        except ValidationError as exc:
            number = raw.get("case_number") if isinstance(raw, dict) else None
            items[index] = CaseBatchItem.model_validate(
                {
                    "index": index,
                    "outcome": BatchOutcome.invalid,
                    "case_number": number if isinstance(number, str) else None,
                    "errors": field_errors(exc),
                }
            )
    filed = intake.file_cases(session, user=user, cases=[_new_case(body) for _, body in valid])
    for (index, _), result in zip(valid, filed, strict=True):
        if isinstance(result, intake.DuplicateCaseNumber):
            existing = result.extra["existing_case"]
            items[index] = CaseBatchItem(
                index=index,
                outcome=BatchOutcome.already_filed,
                id=existing["id"],
                case_number=existing["case_number"],
            )
        else:
            items[index] = CaseBatchItem(
                index=index, outcome=BatchOutcome.created, id=result.id, case_number=result.case_number
            )
    reported = [item for item in items if item is not None]
    return CaseBatchRead(
        created=sum(item.outcome == BatchOutcome.created for item in reported),
        already_filed=sum(item.outcome == BatchOutcome.already_filed for item in reported),
        invalid=sum(item.outcome == BatchOutcome.invalid for item in reported),
        items=reported,
    )


_BATCH_EXAMPLE = [
    {
        **CASE_EXAMPLE,
        "case_number": f"（2026）豫0104执{serial}号",
    }
    for serial in (124, 125)
]


@router.post(
    "/cases/batch",
    operation_id="create_case_batch",
    response_model=CaseBatchRead,
    responses=problem_responses(Forbidden, IdempotencyKeyReused),
)
def create_case_batch(
    cases: Annotated[
        list[Any],
        Body(
            min_length=1,
            max_length=MAX_BATCH_CASES,
            description=f"1–{MAX_BATCH_CASES} cases, each a body of `POST /cases` (CaseCreate)",
            examples=[_BATCH_EXAMPLE],
        ),
    ],
    session: SessionDep,
    user: Annotated[Account, authorized_account("case.create")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """File up to 1,000 cases (bulk intake): each created, already filed or invalid, in request order."""
    result = idempotency.respond_once(
        session,
        user_id=user.id,
        key=idempotency_key,
        operation="create_case_batch",
        payload={"cases": cases},
        create=lambda: _file_batch(session, user, cases),
        status_code=200,
    )
    return created_response(result)


@router.get(
    "/cases", operation_id="list_cases", response_model=Page[CaseListItem], responses=problem_responses()
)
def list_cases(
    session: SessionDep,
    user: Annotated[User, Authorized("case.list")],
    state: Annotated[
        list[str] | None,
        Query(max_length=len(CaseState), description="repeat for several states: " + ", ".join(CaseState)),
    ] = None,
    track: Track | None = None,
    unit: Annotated[str | None, Query(max_length=32, description="unit code, e.g. brigade-2")] = None,
    handler_id: RowId | None = None,
    overdue: Annotated[bool | None, Query(description="has a breached or past-due open deadline")] = None,
    filed_from: ISODate | None = None,
    filed_to: ISODate | None = None,
    # No control characters: a NUL would cut the search pattern short and match every case.
    q: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="part of the case number or of a party's name",
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[CaseListItem]:
    """List the cases the caller may see, newest first, with filters."""
    filters = case_queries.CaseFilters(
        states=list(state or []),
        track=track,
        unit=unit,
        handler_id=handler_id,
        overdue=overdue,
        filed_from=filed_from,
        filed_to=filed_to,
        q=q,
    )
    rows, next_cursor = case_queries.list_cases(
        session, user=user, filters=filters, limit=limit, cursor=cursor
    )
    return Page[CaseListItem](items=[_list_item(r) for r in rows], next_cursor=next_cursor)


_ROW_ID: TypeAdapter[int] = TypeAdapter(RowId)


def _case_as_read(
    request: Request, session: SessionDep, token: BearerToken
) -> case_queries.CaseDetail | None:
    """The caller, checked as ``Authorized("case.read")`` checks them (401, 403), and the case they
    read (404 when it is not theirs to see), in one worker thread rather than one for each. ``None``
    when the path's id is not valid: the route's 422 follows the caller's checks, as on every route."""
    user_id = bearer_user_id(token)
    try:
        case_id: int | None = _ROW_ID.validate_python(request.path_params["case_id"])
    except ValidationError:
        case_id = None
    # One statement reads the caller's row (is_active, unit, roles) and the case.
    read = case_queries.read_caller_and_case(session, user_id=user_id, case_id=case_id)
    user = permitted(active_user(read.caller), "case.read")
    if case_id is None:
        return None
    return case_queries.case_detail(read, case_id=case_id, user=user)


_case_as_read.policy_action = "case.read"  # type: ignore[attr-defined]  # published by app.permission_table


@router.get(
    "/cases/{case_id}",
    operation_id="get_case",
    response_model=CaseRead,
    responses={**problem_responses(Forbidden, NotFound), 304: {"description": "Not modified"}},
)
async def read_case(
    case_id: RowId,
    detail: Annotated[case_queries.CaseDetail | None, Depends(_case_as_read)],
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    """One case with parties, assets, triage, deadlines and the caller's allowed actions."""
    assert detail is not None, "an invalid id is answered with 422 before the route runs"
    etag = f'"{detail.case.version}"'
    if if_none_match is not None and etag in {t.strip().removeprefix("W/") for t in if_none_match.split(",")}:
        return Response(status_code=304, headers={"ETag": etag})
    return schema_response(_case_read(detail), headers={"ETag": etag})


add_routes(
    router,
    routes=[
        Listing(
            "/cases/{case_id}/timeline",
            "get_case_timeline",
            "case.read_history",
            case_queries.case_timeline,
            "The case's audit trail, oldest first.",
            cursor=PlainCursor,
            schema=AuditEntryRead,
        ),
    ],
)
