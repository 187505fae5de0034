"""Routes that every desk's records share, declared once: a route is one row of a table.

A desk's router is its table (``Desk``: its record's read schema and workflow, named once): the
lists (``Listing``: the filters it takes), the record by id (``Show``), the creating POSTs
(``Create``: body, service, where the new record is found), the changes made with ``If-Match``
(``Change``; a workflow's ``Command`` is one, allowed by its step's permission) and the sign-offs
without a body (``Signoff``). The endpoint of each row is built here, its signature declared with
``inspect.Signature`` so that FastAPI documents and validates it as if written out by hand.

A command route (``POST /objections/{objection_id}/ruling``) takes the record's id, an optional
``If-Match`` and a body whose fields are the service function's keyword arguments; it answers the
record as the caller now sees it, with its ``ETag``. The table row names what differs: the path, the
operation id, the workflow action it performs, the body schema, the service function and the
summary. Who may call it is the permission of that action's step in the workflow, the same table the
records' ``allowed_actions`` are computed from.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Annotated
from typing import Any
from typing import TypeVar

from fastapi import APIRouter
from fastapi import Body
from fastapi import Query
from fastapi import Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.deps import Authorized
from app.deps import Cursor
from app.deps import ExpectedVersion
from app.deps import IdempotencyKeyHeader
from app.deps import SessionDep
from app.deps import create_once
from app.deps import with_etag
from app.errors import Conflict
from app.errors import DomainError
from app.errors import Forbidden
from app.errors import NotFound
from app.errors import PreconditionFailed
from app.errors import TransitionNotAllowed
from app.errors import problem_responses
from app.models.user import User
from app.schemas.common import Limit
from app.schemas.common import Page
from app.schemas.common import RowId
from app.services.case_access import load_case
from app.services.idempotency import IdempotencyKeyReused
from app.services.workflow import Workflow

# Where the app factory mounts the routers (app.main), as the Location of a created record names it.
API_PREFIX = "/api/v1"
# What every command may answer besides its record: the caller may not, no such record, not in this
# state, a stale If-Match.
COMMAND_PROBLEMS = (Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)
R = TypeVar("R", bound=BaseModel)
KEYWORD = inspect.Parameter.KEYWORD_ONLY
# The cursor as some list routes document it: the same parameter as ``Cursor``, undescribed.
PlainCursor = Annotated[str | None, Query(max_length=200)]


def record_reader(schema: type[R], workflow: Workflow[Any]) -> Callable[[Any, User], R]:
    """How a desk's router shows a record: its read schema, with the actions this caller may take."""

    def read(record: Any, user: User) -> R:
        return schema.model_validate(record).model_copy(
            update={"allowed_actions": workflow.allowed_actions(user, record)}
        )

    return read


@dataclass(frozen=True)
class Command:
    """One command route: ``POST {path}`` calls ``service(session, user=…, <id>=…, expected_version=…,
    **body)``. ``body_optional``: the body may be left out (its schema's defaults apply)."""

    path: str
    operation_id: str
    action: str  # the workflow's action; its step's permission is required of the caller
    body: type[BaseModel]
    service: Callable[..., Any]
    summary: str
    body_optional: bool = False
    more_problems: Sequence[type[DomainError]] = ()  # besides COMMAND_PROBLEMS


class Desk:
    """A desk's record, named once: its read schema, its workflow and its path
    (``/objections/{objection_id}``), with the routes of the desk's router as rows:
    ``desk.routes(desk.create(…), desk.listing(…), desk.show(…))``, ``desk.commands(Command(…))``.
    ``read``: how the record is shown when it is more than its schema with the caller's actions."""

    def __init__(
        self,
        router: APIRouter,
        schema: type[BaseModel],
        workflow: Workflow[Any],
        path: str,
        read: Callable[[Any, User], Any] | None = None,
    ) -> None:
        self.router, self.schema, self.workflow, self.path = router, schema, workflow, path
        self.read = read or record_reader(schema, workflow)

    def routes(self, *routes: Route) -> None:
        add_routes(self.router, response_model=self.schema, read=self.read, routes=routes)

    def listing(
        self,
        path: str,
        operation_id: str,
        permission: str,
        summary: str,
        filters: Sequence[Filter] = (),
        cursor: Any = Cursor,
    ) -> Listing:
        """``GET {path}``: a page of the desk's records (:meth:`Workflow.records`) by the workflow's
        filters named as the route's; a ``{case_id}`` in the path is the case's list, 404 when the
        caller may not see the case."""
        workflow, of_case = self.workflow, "case_id" in _path_ids(path)

        def service(session: Session, *, user: User, **arguments: Any) -> tuple[list[Any], str | None]:
            if of_case:
                load_case(session, arguments["case_id"], user)
            return workflow.records(session, user=user, **arguments)

        return Listing(path, operation_id, permission, service, summary, filters=filters, cursor=cursor)

    def show(self, operation_id: str, permission: str, summary: str) -> Show:
        """``GET`` the desk's path: the desk's record by its id, with its children (:meth:`Workflow.read`)."""
        return Show(self.path, operation_id, permission, self.workflow.read, summary)

    def create(
        self,
        path: str,
        operation_id: str,
        permission: str,
        body: type[BaseModel],
        service: Callable[..., Any],
        summary: str,
        *,
        problems: Sequence[type[DomainError]],
        versioned: bool = False,
    ) -> Create:
        """``POST {path}``: a new record of the desk, which the 201 names at the desk's path."""
        location = API_PREFIX + re.sub(r"{\w+}$", "{id}", self.path)
        return Create(
            path,
            operation_id,
            permission,
            body,
            service,
            summary,
            problems=problems,
            location=location,
            versioned=versioned,
        )

    def commands(self, *commands: Command) -> None:
        """Mount each command as a ``Change`` allowed by the permission of its action's step."""
        self.routes(
            *(
                Change(
                    command.path,
                    command.operation_id,
                    self.workflow.permission(command.action),
                    command.body,
                    command.service,
                    command.summary,
                    body_optional=command.body_optional,
                    more_problems=command.more_problems,
                )
                for command in commands
            )
        )


@dataclass(frozen=True)
class Filter:
    """A query parameter of a list or report route, handed to its service under the same name."""

    name: str
    annotation: Any
    default: Any = None

    def parameter(self) -> inspect.Parameter:
        return inspect.Parameter(self.name, KEYWORD, annotation=self.annotation, default=self.default)


@dataclass(frozen=True)
class _Route:
    """What every route row names: its path (whose ``{…_id}`` are row ids handed to the service), its
    operation id and the permission the caller must hold. ``schema``: the route shows another record
    than the desk's, by this read schema; ``read``: how a record is shaped for it (else the schema
    alone). ``for_caller=False``: the service serves every caller alike (administration), so it is
    not handed the caller."""

    path: str
    operation_id: str
    permission: str
    schema: type[BaseModel] | None = field(default=None, kw_only=True)
    read: Callable[[Any, User], Any] | None = field(default=None, kw_only=True)
    for_caller: bool = field(default=True, kw_only=True)


@dataclass(frozen=True)
class Listing(_Route):
    """``GET {path}``: one page of records. ``service(session, user=…, <path ids>=…, <filters>=…,
    limit=…, cursor=…)`` returns the page's rows and the next cursor. With ``filter_type`` the filters
    reach the service as one value, ``filters=filter_type(<filters>)``; ``page`` is the response's
    model when it is not a ``Page`` of the records' read schema."""

    service: Callable[..., tuple[Sequence[Any], str | None]]
    summary: str
    filters: Sequence[Filter] = ()
    filter_type: Callable[..., Any] | None = None
    page: type[BaseModel] | None = None
    cursor: Any = Cursor  # as the route documents its cursor parameter


@dataclass(frozen=True)
class Show(_Route):
    """``GET {path}``: one record, ``service(session, user=…, <path ids>=…)``, with its ``ETag`` when
    the read schema has a version."""

    service: Callable[..., Any]
    summary: str


@dataclass(frozen=True)
class Signoff(_Route):
    """``POST {path}`` without a body: the caller signs off a record (a review, an approval),
    ``service(session, user=…, <path ids>=…)``; 409 when it is not awaiting that."""

    service: Callable[..., Any]
    summary: str


@dataclass(frozen=True)
class Create(_Route):
    """``POST {path}`` creating a record once per ``Idempotency-Key``: ``service(session, user=…,
    <path ids>=…, **body)``, and ``expected_version=…`` from ``If-Match`` when ``versioned``. The 201
    names the new record at ``location``, formatted with the path ids and the created body."""

    body: type[BaseModel]
    service: Callable[..., Any]
    summary: str
    problems: Sequence[type[DomainError]]  # besides a reused Idempotency-Key, which every one may give
    location: str | None = None
    versioned: bool = False


@dataclass(frozen=True)
class Change(_Route):
    """``POST {path}`` changing a record: ``service(session, user=…, <path ids>=…,
    expected_version=…, **body)``, the version from ``If-Match``. It answers the changed record with
    its ``ETag``, the read schema's ``version_field``. ``body_optional``: the body may be left out
    (its schema's defaults apply)."""

    body: type[BaseModel]
    service: Callable[..., Any]
    summary: str
    body_optional: bool = False
    more_problems: Sequence[type[DomainError]] = ()  # besides COMMAND_PROBLEMS
    version_field: str = "version"


Route = Listing | Show | Signoff | Create | Change


def schema_reader(schema: type[R]) -> Callable[[Any, User], R]:
    """How a record without workflow actions is shown: its read schema alone."""

    def read(record: Any, user: User) -> R:
        return schema.model_validate(record)

    return read


def add_routes(
    router: APIRouter,
    *,
    response_model: type[BaseModel] | None = None,
    read: Callable[[Any, User], Any] | None = None,
    routes: Sequence[Route],
) -> None:
    """Mount each route of the table on ``router``, in order. ``response_model``: the read schema of
    the desk's record, shown by ``read`` (else by the schema alone) to a route that names no other."""
    for route in routes:
        schema = route.schema or response_model
        if schema is None:
            raise TypeError(f"{route.operation_id}: no read schema, neither the route's nor the desk's")
        desk_read = None if route.schema else read
        shape = route.read or desk_read or schema_reader(schema)
        if isinstance(route, Listing):
            page = route.page or Page[schema]  # type: ignore[valid-type]
            endpoint = _listing_endpoint(route, page, shape)
            lone = not _path_ids(route.path)  # nothing to be found but the list itself
            _add(router, route, "GET", endpoint, page, (Forbidden,) if lone else (Forbidden, NotFound))
        elif isinstance(route, Show):
            endpoint = _show_endpoint(route, "version" in schema.model_fields, shape)
            _add(router, route, "GET", endpoint, schema, (Forbidden, NotFound))
        elif isinstance(route, Signoff):
            endpoint = _signoff_endpoint(route, shape)
            _add(router, route, "POST", endpoint, schema, (Forbidden, NotFound, Conflict))
        elif isinstance(route, Create):
            endpoint = _create_endpoint(route, shape)
            problems = (*route.problems, IdempotencyKeyReused)
            _add(router, route, "POST", endpoint, schema, problems, status_code=201)
        else:
            endpoint = _change_endpoint(route, shape)
            _add(router, route, "POST", endpoint, schema, (*COMMAND_PROBLEMS, *route.more_problems))


def _add(
    router: APIRouter,
    route: Route,
    method: str,
    endpoint: Callable[..., Any],
    response_model: Any,
    problems: Sequence[type[DomainError]],
    status_code: int | None = None,
) -> None:
    endpoint.__doc__ = route.summary
    endpoint.__name__ = route.operation_id
    router.add_api_route(
        route.path,
        endpoint,
        methods=[method],
        operation_id=route.operation_id,
        name=route.operation_id,
        status_code=status_code,
        response_model=response_model,
        responses=problem_responses(*problems),
    )


def _path_ids(path: str) -> list[str]:
    return re.findall(r"{(\w+)}", path)


def signed(
    endpoint: Callable[..., Any], path: str, permission: str, *rest: inspect.Parameter
) -> Callable[..., Any]:
    """``endpoint`` as FastAPI sees it: taking the path's row ids, the request's session, the caller
    (who must hold ``permission``) and then ``rest``."""
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            *(inspect.Parameter(name, KEYWORD, annotation=RowId) for name in _path_ids(path)),
            inspect.Parameter("session", KEYWORD, annotation=SessionDep),
            inspect.Parameter("user", KEYWORD, annotation=Annotated[User, Authorized(permission)]),
            *rest,
        ]
    )
    return endpoint


def _serve(route: Route, session: Session, user: User, **arguments: Any) -> Any:
    """The route's service, on the request's session, for the caller."""
    if route.for_caller:
        return route.service(session, user=user, **arguments)
    return route.service(session, **arguments)


def _listing_endpoint(
    route: Listing, page: type[BaseModel], read: Callable[[Any, User], Any]
) -> Callable[..., Any]:
    filter_names = [f.name for f in route.filters]

    def endpoint(*, session: Session, user: User, **arguments: Any) -> Any:
        if route.filter_type is not None:
            filters = {name: arguments.pop(name) for name in filter_names}
            arguments["filters"] = route.filter_type(**filters)
        rows, next_cursor = _serve(route, session, user, **arguments)
        return page(items=[read(row, user) for row in rows], next_cursor=next_cursor)

    return signed(
        endpoint,
        route.path,
        route.permission,
        *(f.parameter() for f in route.filters),
        inspect.Parameter("limit", KEYWORD, annotation=Limit, default=50),
        inspect.Parameter("cursor", KEYWORD, annotation=route.cursor, default=None),
    )


def _show_endpoint(route: Show, versioned: bool, read: Callable[[Any, User], Any]) -> Callable[..., Any]:
    def endpoint(*, session: Session, user: User, response: Response, **ids: Any) -> Any:
        shown = read(_serve(route, session, user, **ids), user)
        return with_etag(response, shown) if versioned else shown

    return signed(
        endpoint, route.path, route.permission, inspect.Parameter("response", KEYWORD, annotation=Response)
    )


def _signoff_endpoint(route: Signoff, read: Callable[[Any, User], Any]) -> Callable[..., Any]:
    def endpoint(*, session: Session, user: User, **ids: Any) -> Any:
        return read(_serve(route, session, user, **ids), user)

    return signed(endpoint, route.path, route.permission)


def _create_endpoint(route: Create, read: Callable[[Any, User], Any]) -> Callable[..., Any]:
    path_ids = _path_ids(route.path)

    def endpoint(
        *, body: BaseModel, session: Session, user: User, idempotency_key: str | None, **arguments: Any
    ) -> JSONResponse:
        ids = {name: arguments[name] for name in path_ids}
        location = route.location
        return create_once(
            session,
            user,
            key=idempotency_key,
            operation=":".join([route.operation_id, *(str(ids[name]) for name in path_ids)]),
            payload=body,
            create=lambda: read(_serve(route, session, user, **arguments, **dict(body)), user),
            location=(lambda created: location.format(**{**ids, **created})) if location else None,
        )

    if_match = inspect.Parameter("expected_version", KEYWORD, annotation=ExpectedVersion, default=None)
    return signed(
        endpoint,
        route.path,
        route.permission,
        inspect.Parameter("body", KEYWORD, annotation=route.body),
        *([if_match] if route.versioned else []),
        inspect.Parameter("idempotency_key", KEYWORD, annotation=IdempotencyKeyHeader, default=None),
    )


def _change_endpoint(route: Change, read: Callable[[Any, User], Any]) -> Callable[..., Any]:
    def endpoint(
        *, session: Session, user: User, response: Response, body: BaseModel | None, **arguments: Any
    ) -> Any:
        fields = dict(body or route.body())
        changed = read(_serve(route, session, user, **arguments, **fields), user)
        response.headers["ETag"] = f'"{getattr(changed, route.version_field)}"'
        return changed

    body: Any = route.body
    body_default: Any = inspect.Parameter.empty
    if route.body_optional:
        body, body_default = Annotated[route.body | None, Body()], None
    return signed(
        endpoint,
        route.path,
        route.permission,
        inspect.Parameter("response", KEYWORD, annotation=Response),
        inspect.Parameter("expected_version", KEYWORD, annotation=ExpectedVersion),
        inspect.Parameter("body", KEYWORD, annotation=body, default=body_default),
    )
