"""Enforcement measures recorded on a case by its handling team (plan §5(3))."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from app.enums import MeasureKind
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import NotFound
from app.errors import PreconditionFailed
from app.errors import TransitionNotAllowed
from app.models.measure import Measure
from app.models.user import User
from app.routing import API_PREFIX
from app.routing import Create
from app.routing import Filter
from app.routing import Listing
from app.routing import Show
from app.routing import Signoff
from app.routing import add_routes
from app.schemas.measure import MeasureCreate
from app.schemas.measure import MeasureRead
from app.services import measures
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["measures"])


def _record_measure(
    session: Session, *, user: User, case_id: int, expected_version: int | None, **measure: Any
) -> Measure:
    return measures.record_measure(
        session,
        case_id=case_id,
        user=user,
        measure=measures.NewMeasure(**measure),
        expected_version=expected_version,
    )


add_routes(
    router,
    response_model=MeasureRead,
    routes=[
        Create(
            "/cases/{case_id}/measures",
            "record_measure",
            COMMAND_POLICY["record_measure"],
            MeasureCreate,
            _record_measure,
            "Record an enforcement measure on the case (the handling team).",
            problems=(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed, Conflict),
            location=API_PREFIX + "/cases/{case_id}/measures/{id}",
            versioned=True,
        ),
        Listing(
            "/cases/{case_id}/measures",
            "list_measures",
            "case.read_history",
            measures.list_measures,
            "The measures recorded on a case, oldest first.",
            filters=[Filter("kind", MeasureKind | None)],
        ),
        Show(
            "/cases/{case_id}/measures/{measure_id}",
            "get_measure",
            "case.read_history",
            measures.get_measure,
            "One measure recorded on a case.",
        ),
        Signoff(
            "/cases/{case_id}/measures/{measure_id}/review",
            "review_measure",
            "measure.review",
            measures.review_measure,
            "The director reviews a fine, detention or consumption-restriction order (plan §4: 审核把关).",
        ),
        Signoff(
            "/cases/{case_id}/measures/{measure_id}/approval",
            "approve_measure",
            "measure.approve",
            measures.approve_measure,
            "The president approves and signs a reviewed fine, detention or consumption-restriction order.",
        ),
    ],
)
