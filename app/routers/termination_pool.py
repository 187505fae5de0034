"""The 终本 pool: cases closed as 终本 and their re-check dates (DOMAIN.md §5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.deps import Authorized, Cursor, SessionDep
from app.enums import TerminationPoolStatus
from app.errors import Forbidden, problem_responses
from app.models.user import User
from app.schemas.closure import TerminationPoolEntryRead
from app.schemas.common import Limit, Page
from app.services import termination_pool

router = APIRouter(tags=["termination pool"])


@router.get(
    "/termination-pool",
    operation_id="list_termination_pool",
    response_model=Page[TerminationPoolEntryRead],
    responses=problem_responses(Forbidden),
)
def list_pool(
    session: SessionDep,
    user: Annotated[User, Authorized("termination_pool.read")],
    unit: Annotated[str | None, Query(max_length=32, description="unit, e.g. brigade-2")] = None,
    status: TerminationPoolStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TerminationPoolEntryRead]:
    """Cases closed as 终本 with their re-check dates (a brigade sees its own), oldest entry first."""
    items, next_cursor = termination_pool.list_pool(
        session, user=user, unit=unit, status=status, limit=limit, cursor=cursor
    )
    return Page[TerminationPoolEntryRead](
        items=[TerminationPoolEntryRead.model_validate(i) for i in items], next_cursor=next_cursor
    )
