"""The baseline: the bare stack the service is built on, doing the least a case store can do.

FastAPI + SQLAlchemy 2 (sync, psycopg 3), the service's engine settings (``build_engine``: pool
size, overflow, pre-ping), a session per request committed by a dependency, one INSERT endpoint and
one read-by-id endpoint over a table about as wide as a case row (its own table, ``bench_bare_case``,
in the same database). Served by uvicorn with the service's own settings (host, port, workers,
log level, no access log):

    ENFORCEMENT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enf_bench_api \\
        python -m bench.bare_app
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter
from fastapi import Depends
from fastapi import FastAPI
from fastapi import HTTPException
from fastapi import Request
from pydantic import BaseModel
from pydantic import ConfigDict
from sqlalchemy import Engine
from sqlalchemy import MetaData
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import Session
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import sessionmaker

from app.database import build_engine
from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.settings import get_settings


class BareBase(DeclarativeBase):
    metadata = MetaData()  # not the service's metadata: migrations and create_all never see it


class BareCase(BareBase):
    __tablename__ = "bench_bare_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    filed_on: Mapped[date]
    category: Mapped[str] = mapped_column(String(40))
    claim_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    state: Mapped[str] = mapped_column(String(20), default="filed")
    applicant: Mapped[str] = mapped_column(String(200))
    respondent: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)


class BareCaseIn(BaseModel):
    case_number: str
    filed_on: date
    category: str
    claim_amount: Decimal | None
    applicant: str
    respondent: str


class BareCaseOut(BareCaseIn):
    model_config = ConfigDict(from_attributes=True)

    id: int
    state: str
    created_at: datetime
    version: int


def create_schema(engine: Engine) -> None:
    BareBase.metadata.drop_all(engine)
    BareBase.metadata.create_all(engine)


@lru_cache
def _sessions(database_url: str) -> sessionmaker[Session]:
    return sessionmaker(bind=build_engine(database_url), expire_on_commit=False)


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, committed when the route succeeds (as the service does)."""
    session = _sessions(request.app.state.database_url or get_settings().database_url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
router = APIRouter()


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/bare/cases", status_code=201, response_model=BareCaseOut)
def insert_case(body: BareCaseIn, session: SessionDep) -> BareCase:
    row = BareCase(**body.model_dump())
    session.add(row)
    session.flush()
    return row


@router.get("/bare/cases/{case_id}", response_model=BareCaseOut)
def read_case(case_id: int, session: SessionDep) -> BareCase:
    row = session.get(BareCase, case_id)
    if row is None:
        raise HTTPException(404, "not found")
    return row


def create_bare_app(database_url: str | None = None) -> FastAPI:
    """The baseline app; ``database_url`` defaults to the service's setting."""
    app = FastAPI(title="bare baseline", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.database_url = database_url
    app.include_router(router)
    return app


app = create_bare_app()


def main() -> None:
    """Serve exactly as ``app.serve`` serves the service."""
    import uvicorn

    settings = get_settings()
    uvicorn.run(
        "bench.bare_app:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
