"""Routes that every record with states shares, declared once: a command is one row of a table.

A command route (``POST /objections/{objection_id}/ruling``) takes the record's id, an optional
``If-Match`` and a body whose fields are the service function's keyword arguments; it answers the
record as the caller now sees it, with its ``ETag``. The table row names what differs: the path, the
operation id, the workflow action it performs, the body schema, the service function and the
summary. Who may call it is the permission of that action's step in the workflow, the same table the
records' ``allowed_actions`` are computed from.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Body, Response
from pydantic import BaseModel

from app.deps import Authorized, ExpectedVersion, SessionDep, with_etag
from app.errors import Forbidden, NotFound, PreconditionFailed, TransitionNotAllowed, problem_responses
from app.models.user import User
from app.schemas.common import RowId
from app.services.workflow import Workflow

COMMAND_PROBLEMS = problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)
R = TypeVar("R", bound=BaseModel)


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
    problems: dict[int | str, dict[str, Any]] | None = None


def add_commands(
    router: APIRouter,
    *,
    workflow: Workflow[Any],
    id_name: str,
    response_model: type[BaseModel],
    read: Callable[[Any, User], Any],
    commands: Sequence[Command],
) -> None:
    """Mount each command on ``router``; ``read`` shapes the changed record for its caller."""
    for command in commands:
        permission = workflow.permission(command.action)
        router.add_api_route(
            command.path,
            _command_endpoint(
                command, permission=permission, id_name=id_name, response_model=response_model, read=read
            ),
            methods=["POST"],
            operation_id=command.operation_id,
            name=command.operation_id,
            response_model=response_model,
            responses=command.problems or COMMAND_PROBLEMS,
        )


def _command_endpoint(
    command: Command,
    *,
    permission: str,
    id_name: str,
    response_model: type[BaseModel],
    read: Callable[[Any, User], Any],
) -> Callable[..., Any]:
    def endpoint(**arguments: Any) -> Any:
        body = arguments["body"] or command.body()
        session, user = arguments["session"], arguments["user"]
        record = command.service(
            session,
            user=user,
            expected_version=arguments["expected_version"],
            **{id_name: arguments[id_name]},
            **dict(body),
        )
        return with_etag(arguments["response"], read(record, user))

    body_annotation: Any = command.body
    body_default: Any = inspect.Parameter.empty
    if command.body_optional:
        body_annotation, body_default = Annotated[command.body | None, Body()], None
    keyword = inspect.Parameter.KEYWORD_ONLY
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(id_name, keyword, annotation=RowId),
            inspect.Parameter("session", keyword, annotation=SessionDep),
            inspect.Parameter("user", keyword, annotation=Annotated[User, Authorized(permission)]),
            inspect.Parameter("response", keyword, annotation=Response),
            inspect.Parameter("expected_version", keyword, annotation=ExpectedVersion),
            inspect.Parameter("body", keyword, annotation=body_annotation, default=body_default),
        ],
        return_annotation=response_model,
    )
    endpoint.__doc__ = command.summary
    endpoint.__name__ = command.operation_id
    return endpoint
