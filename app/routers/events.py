"""The event feed: pull it page by page, or keep a Server-Sent Events stream open (docs/events.md)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import APIRouter
from fastapi import Header
from fastapi import Query
from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app.deps import Authorized
from app.deps import SessionDep
from app.errors import Forbidden
from app.errors import problem_responses
from app.models.user import User
from app.schemas.common import Limit
from app.schemas.common import RowId
from app.schemas.event import EventPage
from app.schemas.event import EventRead
from app.services import events
from app.settings import get_settings

router = APIRouter(tags=["events"])

After = Annotated[
    str | None,
    Query(max_length=200, description="the cursor stored from the last event seen; none: from the start"),
]
Types = Annotated[
    str | None,
    Query(max_length=2000, description="comma-separated event types or families (case.filed,deadline.*)"),
]
CaseFilter = Annotated[RowId | None, Query(description="only the events of this case")]
KEEP_ALIVE_S = 15


def _types(types: str | None) -> list[str]:
    return events.event_type_filter([t.strip() for t in (types or "").split(",") if t.strip()])


@router.get(
    "/events", operation_id="list_events", response_model=EventPage, responses=problem_responses(Forbidden)
)
def list_events(
    session: SessionDep,
    user: Annotated[User, Authorized("event.read")],
    after: After = None,
    types: Types = None,
    case_id: CaseFilter = None,
    limit: Limit = 100,
) -> EventPage:
    """The events after a cursor, in commit order: store ``next_cursor`` and ask again to miss none."""
    page = events.feed(session, user=user, after=after, types=_types(types), case_id=case_id, limit=limit)
    return EventPage(
        items=[EventRead.model_validate(events.event_body(e)) for e in page.events],
        next_cursor=page.next_cursor,
        has_more=page.has_more,
    )


@router.get(
    "/events/stream",
    operation_id="stream_events",
    response_class=StreamingResponse,
    responses={
        200: {"description": "Server-Sent Events: `id` is the cursor, `event` the type, `data` the event"},
        **problem_responses(Forbidden),
    },
)
async def stream_events(
    request: Request,
    user: Annotated[User, Authorized("event.read")],
    after: After = None,
    types: Types = None,
    case_id: CaseFilter = None,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=200, description="resume after this event")
    ] = None,
) -> StreamingResponse:
    """The same feed as Server-Sent Events; a reconnecting client resumes with ``Last-Event-ID``."""
    wanted = _types(types)
    cursor = last_event_id or after
    # a cursor this service did not issue is a 422 before the stream opens
    events.feed_position(cursor, field="Last-Event-ID" if last_event_id else "after")
    settings = get_settings()

    async def frames() -> AsyncIterator[str]:
        nonlocal cursor
        ends_at = time.monotonic() + settings.events_stream_seconds
        quiet_since = time.monotonic()
        yield f"retry: {int(settings.events_poll_seconds * 1000)}\n\n"
        while time.monotonic() < ends_at and not await request.is_disconnected():
            batch = await run_in_threadpool(
                events.poll_feed, user_id=user.id, after=cursor, types=wanted, case_id=case_id
            )
            if batch is None:
                return  # the account was disabled meanwhile
            for body in batch.events:
                event = EventRead.model_validate(body)
                yield f"id: {event.cursor}\nevent: {event.type}\ndata: {event.model_dump_json()}\n\n"
            cursor = batch.next_cursor
            if batch.events:
                quiet_since = time.monotonic()
                if batch.has_more:
                    continue
            elif time.monotonic() - quiet_since >= KEEP_ALIVE_S:
                yield ": keep-alive\n\n"
                quiet_since = time.monotonic()
            await anyio.sleep(min(settings.events_poll_seconds, max(ends_at - time.monotonic(), 0)))

    return StreamingResponse(
        frames(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
