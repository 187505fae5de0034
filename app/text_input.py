"""Text the service accepts: no control characters but tab, line feed and carriage return.

A NUL cannot be stored by PostgreSQL and would be stored by SQLite; other control characters are
invisible in every document and list the bureau prints. One check, before any route runs, refuses
them in path and query parameters, form fields and every string (and key) of a JSON body, with a 422
naming the field, whatever the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fastapi import Request

from app.errors import InvalidInput

# Unicode category Cc (C0, DEL, C1) less \t, \n and \r.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(field path, text) of every string in a parsed JSON value, keys included; iterative, any depth."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            yield where or "body", item
        elif isinstance(item, dict):
            for key, child in item.items():
                child_path = f"{where}.{key}" if where else str(key)
                yield child_path, str(key)
                stack.append((child_path, child))
        elif isinstance(item, list):
            stack.extend((f"{where}.{i}" if where else str(i), child) for i, child in enumerate(item))


def _first_control_character(pairs: list[tuple[str, str]]) -> tuple[str, str] | None:
    for field, text in pairs:
        found = CONTROL_CHARACTER.search(text)
        if found:
            return field, found.group()
    return None


async def _request_strings(request: Request) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = [(k, str(v)) for k, v in request.path_params.items()]
    pairs += request.query_params.multi_items()
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(_FORM_TYPES):
        form = await request.form()  # parsed once already for the route, then cached
        pairs += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    elif "json" in content_type and await request.body():
        try:
            body = await request.json()  # cached when the route parsed it
        except ValueError:
            body = None  # a route without a body: the bytes are ignored anyway
        pairs += _strings(body, "")
    return pairs


async def reject_control_characters(request: Request) -> None:
    """An app-wide dependency: 422 naming the first field whose text holds a control character."""
    hit = _first_control_character(await _request_strings(request))
    if hit is not None:
        field, char = hit
        raise InvalidInput(
            field,
            f"contains the control character U+{ord(char):04X}; text may hold no control characters "
            "but tab, line feed and carriage return",
        )
