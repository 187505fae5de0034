"""Domain exceptions and their one rendering: RFC 9457 ``application/problem+json``.

Services raise these; routers declare them in ``responses=``; no router builds an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from typing import ClassVar

import structlog
from fastapi import FastAPI
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"
log = structlog.get_logger("app.errors")


class FieldError(BaseModel):
    field: str
    message: str
    type: str


class ExistingCase(BaseModel):
    id: int
    case_number: str


def _member(description: str, *types: str) -> Any:
    """An extension member, sent only with the problem types named (``x-problem-types`` in OpenAPI)."""
    return Field(None, description=description, json_schema_extra={"x-problem-types": list(types)})


class Problem(BaseModel):
    """RFC 9457 problem details; extension members depend on the problem type.

    ``type`` is a URI reference relative to the service (``/problems/validation-error``); it serves a
    short page describing the problem type and the members it carries.
    """

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[FieldError] | None = _member("each field at fault", "validation-error")
    allowed_actions: list[str] | None = _member(
        "what the caller may do instead: the actions the current state admits that the caller may perform",
        "transition-not-allowed",
    )
    state: str | None = _member("the current state", "transition-not-allowed")
    missing: list[str] | None = _member("the legal conditions still missing", "gate-not-met")
    current_version: int | None = _member("the version the resource is at", "precondition-failed")
    existing_case: ExistingCase | None = _member(
        "the case already filed under this case number", "duplicate-case-number"
    )
    idempotency_key: str | None = _member("the reused key", "idempotency-key-reused")
    retry_after: int | None = _member(
        "seconds to wait before trying again (also the Retry-After header)",
        "too-many-requests",
        "service-unavailable",
    )
    transfer_id: int | None = _member("the open disposal transfer of the case", "conflict")
    listing_id: int | None = _member("the open dishonest listing of the party", "conflict")
    referral_id: int | None = _member("the open refusal-to-execute referral of the case", "conflict")
    restored_case_id: int | None = _member("the case this one was already restored as", "conflict")
    clock_status: str | None = _member("the status of the deadline clock", "conflict")
    due_on: date | None = _member("when the deadline expires", "conflict")
    last_request_day: date | None = _member("the last day an extension could be asked for", "conflict")
    balance: str | None = _member("the case account's balance, in yuan", "insufficient-funds")
    available: str | None = _member(
        "what may still be paid out of it for this kind of payout, in yuan", "insufficient-funds"
    )
    entry_id: int | None = _member("the entry that already reverses this one", "conflict")
    objection_id: int | None = _member(
        "the upheld outsider objection that holds the asset while the applicant may sue", "gate-not-met"
    )


class DomainError(Exception):
    """The request cannot be processed as sent."""

    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extra = extra

    def problem(self) -> dict[str, Any]:
        return {
            "type": f"/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            **self.extra,
        }


class Unauthorized(DomainError):
    """No bearer token, or one that is invalid or expired, or whose user is disabled.

    Log in with ``POST /api/v1/auth/token``; a wrong username or password is this problem too.
    """

    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(DomainError):
    """The caller's unit and role may not perform this operation, or not on this record.

    ``GET /api/v1/permissions`` lists who may call each operation.
    """

    status, slug, title = 403, "forbidden", "Not allowed for your role or unit"


class NotFound(DomainError):
    """No such record, or one the caller's unit may not see."""

    status, slug, title = 404, "not-found", "Not found"


class Conflict(DomainError):
    """The request conflicts with the current state, e.g. an open record of the same kind exists.

    The detail says which; members such as ``transfer_id`` name the record in the way.
    """

    status, slug, title = 409, "conflict", "Conflict with the current state"


class TransitionNotAllowed(Conflict):
    """The action is not allowed in the record's current state; ``allowed_actions`` lists what the caller
    may do instead."""

    slug, title = "transition-not-allowed", "Action not allowed in the current state"

    def __init__(self, detail: str, *, allowed_actions: list[str], **extra: Any) -> None:
        super().__init__(detail, allowed_actions=allowed_actions, **extra)


class GateNotMet(Conflict):
    """A legal gate (e.g. the 终本 conditions) is not met; ``missing`` lists what is still missing."""

    slug, title = "gate-not-met", "Legal conditions not met"

    def __init__(self, detail: str, *, missing: list[str], **extra: Any) -> None:
        super().__init__(detail, missing=missing, **extra)


class InsufficientFunds(Conflict):
    """The case account cannot bear this: its ``balance`` (and what is ``available`` for the payout,
    after payouts asked for and the fee not yet paid) would go below zero. Amounts are in yuan."""

    slug, title = "insufficient-funds", "The case account cannot bear this amount"

    def __init__(self, detail: str, *, balance: str, available: str) -> None:
        super().__init__(detail, balance=balance, available=available)


class PreconditionFailed(DomainError):
    """``If-Match`` names another version than the current one: reload the record and retry."""

    status, slug, title = 412, "precondition-failed", "The resource has changed (stale version)"


class PreconditionRequired(DomainError):
    """This change needs an ``If-Match`` header with the version it is based on."""

    status, slug, title = 428, "precondition-required", "If-Match required"


class InvalidInput(DomainError):
    """A field is missing, malformed or breaks a rule (e.g. an unknown handler); ``errors`` names each."""

    status, slug, title = 422, "validation-error", "Invalid input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(
            f"{field}: {message}", errors=[{"field": field, "message": message, "type": "value_error"}]
        )


class ContentTooLarge(DomainError):
    """The request body is larger than the service accepts on this path; it was not read.

    The limit is ``ENFORCEMENT_MAX_BODY_BYTES`` (1 MiB by default), and the detail says it.
    """

    status, slug, title = 413, "content-too-large", "Request body too large"


class TooManyRequests(DomainError):
    """Too many failed logins for this account from this address, for this account, or from this
    address; try again after ``retry_after`` seconds (docs/operations.md, login throttling)."""

    status, slug, title = 429, "too-many-requests", "Too many attempts"


class ServiceUnavailable(DomainError):
    """The database did not answer, or the service is too busy to take the request now; retry after
    the ``Retry-After`` delay."""

    status, slug, title = 503, "service-unavailable", "The database is unavailable"


def problem_response(problem: dict[str, Any], headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        {k: v for k, v in problem.items() if v is not None},
        status_code=problem["status"],
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def domain_error_response(
    exc: DomainError, instance: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A domain error as problem+json, with the headers its status calls for."""
    headers = dict(headers or {})
    if exc.status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    if "retry_after" in exc.extra:
        headers["Retry-After"] = str(exc.extra["retry_after"])
    return problem_response(exc.problem() | {"instance": instance}, headers or None)


def problem_responses(*errors: type[DomainError]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each listed problem, plus 401 and 422 that every route may give.

    Problems sharing a status share its response; the description names every one of them.
    """
    by_status: dict[int, list[type[DomainError]]] = {}
    every: tuple[type[DomainError], ...] = (Unauthorized, InvalidInput, *errors)
    for err in every:
        reasons = by_status.setdefault(err.status, [])
        if err not in reasons:
            reasons.append(err)
    return {
        status: {
            "model": Problem,
            "description": _reasons(reasons),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status, reasons in by_status.items()
    }


def _reasons(errors: list[type[DomainError]]) -> str:
    lines = [f"{err.title} (`/problems/{err.slug}`)" for err in errors]
    return lines[0] if len(lines) == 1 else "One of:\n\n" + "\n".join(f"- {line}" for line in lines)


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"} and len(parts) > 1:
        parts = parts[1:]
    return ".".join(parts)


def _field_error(error: Mapping[str, Any]) -> dict[str, str]:
    """One entry of a problem's ``errors`` from one of FastAPI's validation errors."""
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "json_invalid":
        # FastAPI puts the character position where the field would be: the body as a whole is at fault.
        position = loc[1] if len(loc) > 1 else "?"
        reason = (error.get("ctx") or {}).get("error", "invalid JSON")
        return {
            "field": "body",
            "message": f"malformed JSON at position {position}: {reason}",
            "type": "json_invalid",
        }
    return {
        "field": _field_name(loc),
        "message": error.get("msg", "invalid"),
        "type": error.get("type", "value_error"),
    }


def field_errors(exc: ValidationError) -> list[dict[str, str]]:
    """The ``errors`` of a problem for a body validated by the route itself (an item of a batch)."""
    return [
        {**error, "field": error["field"] or "body"}
        for error in (_field_error(e) for e in exc.errors(include_url=False))
    ]


def _internal_error(request: Request) -> JSONResponse:
    """A 500 that says nothing of its cause (which goes to the log)."""
    return problem_response(
        {
            "type": "/problems/internal",
            "title": "Internal error",
            "status": 500,
            "detail": "the request could not be completed",
            "instance": request.url.path,
        }
    )


def _unavailable(request: Request, detail: str) -> JSONResponse:
    """A 503 the client may retry in a few seconds."""
    return domain_error_response(ServiceUnavailable(detail), request.url.path, {"Retry-After": "5"})


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return domain_error_response(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [_field_error(e) for e in exc.errors()]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)[:1000]
        return problem_response(
            {
                "type": "/problems/validation-error",
                "title": "Invalid input",
                "status": 422,
                "detail": detail,
                "errors": errors,
                "instance": request.url.path,
            }
        )

    def _invalid(request: Request, field: str, message: str, kind: str) -> JSONResponse:
        return problem_response(
            {
                "type": "/problems/validation-error",
                "title": "Invalid input",
                "status": 422,
                "detail": f"{field}: {message}",
                "errors": [{"field": field, "message": message, "type": kind}],
                "instance": request.url.path,
            }
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # RFC 8259 §8.1: JSON is UTF-8; an undecodable body is malformed input like broken JSON.
            return _invalid(request, "body", "not UTF-8 encoded JSON", "json_invalid")
        titles = {404: "Not found", 405: "Method not allowed", 401: "Authentication required"}
        headers = dict(exc.headers or {})
        return problem_response(
            {
                "type": f"/problems/http-{exc.status_code}",
                "title": titles.get(exc.status_code, "HTTP error"),
                "status": exc.status_code,
                "detail": str(exc.detail),
                "instance": request.url.path,
            },
            headers or None,
        )

    @app.exception_handler(StaleDataError)
    async def _stale(request: Request, exc: StaleDataError) -> JSONResponse:
        return domain_error_response(
            PreconditionFailed("another change was saved first; reload and retry"), request.url.path
        )

    @app.exception_handler(OverflowError)
    async def _out_of_range(request: Request, exc: OverflowError) -> JSONResponse:
        # An id or number beyond what the database stores (SQLite: 64-bit), or a date beyond year 9999.
        log.warning("value_out_of_range", error=str(exc)[:200])
        return _invalid(request, "request", "a number or date in the request is out of range", "out_of_range")

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> JSONResponse:
        # PostgreSQL refused a value (SQLSTATE class 22: out of range, too long, a NUL character):
        # the request carried data the service cannot store, which is bad input, not a server fault.
        log.warning(
            "value_not_storable", error=type(exc.orig).__name__, sqlstate=getattr(exc.orig, "sqlstate", None)
        )
        return _invalid(
            request,
            "request",
            "a value in the request is out of range, too long, or contains a NUL character",
            "not_storable",
        )

    @app.exception_handler(OperationalError)
    async def _db_down(request: Request, exc: OperationalError) -> JSONResponse:
        log.warning("database_unavailable", error=type(exc.orig).__name__)
        return _unavailable(request, "the database did not answer; retry shortly")

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("database_pool_exhausted")
        return _unavailable(request, "the service is busy; retry shortly")

    @app.exception_handler(DBAPIError)
    async def _db_error(request: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated:
            return await _db_down(request, exc)  # type: ignore[arg-type]
        log.error("database_error", error=type(exc.orig).__name__)
        return _internal_error(request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error")
        return _internal_error(request)
