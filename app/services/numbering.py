"""Serial numbers for the case numbers this service issues itself (执恢 on restoration, 执异 on an
objection's docket): per year, court and type code, without gaps or duplicates, also when several API
processes number at once.
"""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import insert_skipping_conflicts
from app.models.case import Case
from app.models.serial_counter import SerialCounter


def highest_case_serial(session: Session, *, year: int, court_code: str, type_code: str) -> int:
    """The highest serial of ``type_code`` already on a case of ``year`` and court (0 when none)."""
    return (
        session.scalar(
            select(func.max(Case.serial)).where(
                Case.case_year == year, Case.court_code == court_code, Case.type_code == type_code
            )
        )
        or 0
    )


def next_serial(session: Session, *, year: int, court_code: str, type_code: str, at_least: int = 0) -> int:
    """The next serial for ``（year）court_code type_code N号``; larger than ``at_least`` (the highest
    serial already used elsewhere, e.g. numbers the filing division issued).

    The counter row stays locked until the caller's transaction ends, so concurrent callers queue.
    """
    # Create the row when missing; a concurrent creator makes this a no-op that waits for it.
    session.execute(
        insert_skipping_conflicts(session, SerialCounter),
        {"year": year, "court_code": court_code, "type_code": type_code, "last_serial": 0},
    )
    counter = session.execute(
        select(SerialCounter)
        .where(
            SerialCounter.year == year,
            SerialCounter.court_code == court_code,
            SerialCounter.type_code == type_code,
        )
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last_serial = max(counter.last_serial, at_least) + 1
    session.flush()
    return counter.last_serial
