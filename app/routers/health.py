from __future__ import annotations

from fastapi import APIRouter
from fastapi import Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client import generate_latest
from pydantic import BaseModel
from sqlalchemy import text

from app.database import get_engine
from app.errors import ServiceUnavailable
from app.errors import problem_responses

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str


@router.get("/healthz", operation_id="healthz", response_model=Health)
def healthz() -> Health:
    """Liveness: the process answers."""
    return Health(status="ok")


@router.get(
    "/readyz", operation_id="readyz", response_model=Health, responses=problem_responses(ServiceUnavailable)
)
def readyz() -> Health:
    """Readiness: the database answers a query."""
    with get_engine().connect() as conn:
        conn.execute(text("SELECT 1"))
    return Health(status="ready")


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}},
)
def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
