"""The pages behind problem ``type`` URIs (RFC 9457 §3.1.1): ``/problems/validation-error`` and the rest.

One short HTML page per problem type the service sends: title, status, meaning and the extension
members it carries. Mounted at the root, outside the OpenAPI document, readable without a token.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from html import escape
from http import HTTPStatus
from typing import Annotated
from typing import cast

from fastapi import APIRouter
from fastapi import Path
from fastapi.responses import HTMLResponse

from app.errors import DomainError
from app.errors import NotFound
from app.errors import Problem

router = APIRouter(tags=["problems"], include_in_schema=False)


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: str
    description: str


INTERNAL = ProblemType(
    "internal", 500, "Internal error", "The service could not complete the request; retrying may help."
)


def _subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    return [cls] + [sub for direct in cls.__subclasses__() for sub in _subclasses(direct)]


def problem_types() -> dict[str, ProblemType]:
    """Every problem type raised as a ``DomainError`` (those of the services included), and ``internal``."""
    types = {INTERNAL.slug: INTERNAL}
    for cls in _subclasses(DomainError):
        doc = inspect.getdoc(cls) if "__doc__" in vars(cls) and cls.__doc__ else ""
        types.setdefault(cls.slug, ProblemType(cls.slug, cls.status, cls.title, doc or cls.title + "."))
    return types


def problem_type(slug: str) -> ProblemType | None:
    """The problem type of ``slug``; ``http-404`` and the like for errors of the HTTP layer itself."""
    if slug.startswith("http-") and slug[5:].isdigit():
        try:
            status = HTTPStatus(int(slug[5:]))
        except ValueError:
            return None
        return ProblemType(slug, status.value, status.phrase, status.description + ".")
    return problem_types().get(slug)


def members_of(slug: str) -> dict[str, str]:
    """Extension members a problem of this type carries, with their meaning (from ``Problem``)."""
    return {
        name: field.description or ""
        for name, field in Problem.model_fields.items()
        if isinstance(field.json_schema_extra, dict)
        and slug in cast(list[str], field.json_schema_extra.get("x-problem-types") or [])
    }


def _with_code(text: str) -> str:
    """HTML of a docstring: ``literal`` becomes <code>literal</code>."""
    return re.sub(r"``(.+?)``", r"<code>\1</code>", escape(text))


def _page(kind: ProblemType) -> str:
    members = "".join(
        f"<li><code>{escape(name)}</code>: {escape(meaning)}</li>"
        for name, meaning in members_of(kind.slug).items()
    )
    carried = f"<p>Besides the standard members it carries:</p><ul>{members}</ul>" if members else ""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(kind.title)}</title></head><body>"
        f"<h1>{escape(kind.title)}</h1>"
        f"<p>Problem type <code>/problems/{escape(kind.slug)}</code>, HTTP status {kind.status}.</p>"
        f"<p>{_with_code(kind.description)}</p>{carried}"
        "<p>Problems are RFC 9457 <code>application/problem+json</code> objects with <code>type</code>, "
        "<code>title</code>, <code>status</code>, <code>detail</code> and <code>instance</code>. "
        'The operations are described in <a href="/docs">/docs</a> and <a href="/redoc">/redoc</a>.</p>'
        "</body></html>"
    )


@router.get("/problems/{slug}", response_class=HTMLResponse)
def describe_problem_type(slug: Annotated[str, Path(max_length=64)]) -> HTMLResponse:
    """What a problem type means."""
    kind = problem_type(slug)
    if kind is None:
        raise NotFound(f"no problem type {slug!r}")
    return HTMLResponse(_page(kind))
