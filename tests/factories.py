"""Test data written straight to the database, for tests of later steps of a case."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal

from sqlalchemy import Connection
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update

from app.database import get_engine
from app.database import session_scope
from app.models.case import Case
from app.models.case import Party
from app.models.user import User
from app.settings import get_settings

_serial = itertools.count(1)


@contextmanager
def as_database_owner() -> Iterator[Connection]:
    """A transaction as whoever holds the database: on PostgreSQL its owner with triggers set aside
    (the audit trail is append-only for the service)."""
    with get_engine().begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        yield conn


def make_case(
    *,
    state: str = "filed",
    unit_code: str | None = None,
    handler: str | None = None,
    track: str | None = None,
    filed_on: date = date(2026, 3, 2),
    category: str = "civil_commercial",
    claim_amount: Decimal | None = Decimal("80000.00"),
    behaviour: str | None = None,
    type_code: str = "执",
    created_by: str = "registrar",
    closure_mode: str | None = None,
) -> int:
    """Insert a case in any state (with one applicant and one respondent) and return its id."""
    with session_scope() as session:
        users = {u.username: u.id for u in session.scalars(select(User))}
        serial = next(_serial) + 50000
        case = Case(
            case_number=f"（{filed_on.year}）豫0104{type_code}{serial}号",
            case_year=filed_on.year,
            court_code="豫0104",
            type_code=type_code,
            serial=serial,
            filed_on=filed_on,
            category=category,
            claim_amount=claim_amount,
            behaviour=behaviour,
            state=state,
            track=track,
            unit_code=unit_code,
            handler_id=users[handler] if handler else None,
            created_by_id=users[created_by],
            closure_mode=closure_mode,
        )
        case.parties = [
            Party(role="applicant", name="张三", party_type="natural_person", id_number="11010519491231002X"),
            Party(
                role="respondent",
                name="某某贸易有限公司",
                party_type="legal_person",
                id_number="91350100M000100Y43",
                respondent_class="enterprise",
            ),
        ]
        session.add(case)
        session.flush()
        return case.id


def close_directly(case_id: int, mode: str, closed_on: date) -> None:
    """Mark a case closed in the database, as a closing by its judge leaves it (no gate, no audit)."""
    with session_scope() as session:
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(state="closed", closure_mode=mode, closed_on=closed_on)
        )


def make_team_case(brigade: int = 1, *, state: str = "in_progress", **kwargs: object) -> int:
    """An ordinary case allocated to brigade-N and its first judge."""
    return make_case(
        state=state,
        unit_code=f"brigade-{brigade}",
        handler=f"brigade{brigade}-judge",
        track="ordinary",
        **kwargs,
    )  # type: ignore[arg-type]


def make_fast_case(*, state: str = "in_progress", **kwargs: object) -> int:
    """A simple case allocated to the fast group's judge."""
    return make_case(state=state, unit_code="fast", handler="fast-judge", track="simple", **kwargs)  # type: ignore[arg-type]


_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id(seq: int = 1, *, region: str = "410104", born: date = date(1980, 5, 17)) -> str:
    """A resident ID number with a valid GB 11643 check character; ``seq`` (0–999) varies it."""
    body = f"{region}{born:%Y%m%d}{seq % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _RESIDENT_ID_WEIGHTS, strict=True)) % 11]


def uscc(seq: int = 1) -> str:
    """A unified social credit code with a valid GB 32100 check character; ``seq`` varies it."""
    body = f"91410104{seq:09d}"[-17:]
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]


def case_body(
    serial: int = 123, *, year: int = 2026, filed_on: str | None = None, **overrides: object
) -> dict:
    """A valid ``POST /cases`` body: one natural-person applicant, one company respondent."""
    body: dict = {
        "case_number": f"（{year}）豫0104执{serial}号",
        "filed_on": filed_on or f"{year}-03-02",
        "category": "civil_commercial",
        "claim_amount": "45000.00",
        "behaviour": None,
        "applicants": [{"name": "张三", "party_type": "natural_person", "id_number": resident_id(serial)}],
        "respondents": [
            {
                "name": "郑州某某贸易有限公司",
                "party_type": "legal_person",
                "id_number": uscc(serial),
                "respondent_class": "enterprise",
            }
        ],
        "property_clues": [{"kind": "bank_deposit", "description": "中国工商银行郑州分行账户"}],
    }
    body.update(overrides)
    return body


_PARTY_TYPE_OF_CLASS = {
    "individual": "natural_person",
    "state_functionary": "natural_person",
    "public_institution_staff": "natural_person",
}


def make_triage_case(
    *,
    state: str = "registered",
    respondent_classes: tuple[str, ...] = ("enterprise",),
    clue_kinds: tuple[str, ...] = (),
    investigation_completed: bool = True,
    willing_to_perform: bool = False,
    settlement_likely: bool = False,
    paid_amount: Decimal = Decimal("0.00"),
    assets: tuple[dict, ...] = (),
    **kwargs: object,
) -> int:
    """A case ready for triage: chosen respondent classes, clues at filing, investigation flags and
    assets (each ``kind``, ``value``, optional ``status`` (found), ``disposable`` (True))."""
    from app.models.base import utcnow
    from app.models.case import Asset
    from app.models.case import PropertyClue

    case_id = make_case(state=state, **kwargs)  # type: ignore[arg-type]
    with session_scope() as session:
        case = session.get(Case, case_id)
        clerk = session.scalar(select(User.id).where(User.username == "comprehensive"))
        session.execute(Party.__table__.delete().where(Party.case_id == case_id, Party.role == "respondent"))
        for n, respondent_class in enumerate(respondent_classes, start=1):
            session.add(
                Party(
                    case_id=case_id,
                    role="respondent",
                    name=f"被执行人{n}",
                    party_type=_PARTY_TYPE_OF_CLASS.get(respondent_class, "legal_person"),
                    respondent_class=respondent_class,
                )
            )
        for kind in clue_kinds:
            session.add(PropertyClue(case_id=case_id, kind=kind, description=f"{kind} clue"))
        for asset in assets:
            status = asset.get("status", "found")
            session.add(
                Asset(
                    case_id=case_id,
                    kind=asset["kind"],
                    value=Decimal(asset["value"]),
                    status=status,
                    disposable=asset.get("disposable", True),
                    controlled_on=None if status == "found" else case.filed_on,
                    recorded_by_id=clerk,
                )
            )
        case.paid_amount = paid_amount
        case.investigation_completed = investigation_completed
        case.willing_to_perform = willing_to_perform
        case.settlement_likely = settlement_likely
        if state != "filed":
            case.registered_at = utcnow()
    return case_id


def record_deadline_event(
    case_id: int | None,
    event: str,
    on: date,
    *,
    subject_type: str = "case",
    subject_id: int | None = None,
    params: dict[str, object] | None = None,
) -> None:
    """Report a domain event to the deadline clocks, as the service that owns the event would."""
    from app.services import deadline_events

    with session_scope() as session:
        deadline_events.record_event(
            session,
            event=event,
            on=on,
            case_id=case_id,
            subject_type=subject_type,
            subject_id=subject_id,
            params=params,
        )


def make_filed_case(filed_on: date, **kwargs: object) -> int:
    """A case (see :func:`make_case`) whose filing has started its deadline clocks D1–D4."""
    case_id = make_case(filed_on=filed_on, **kwargs)  # type: ignore[arg-type]
    record_deadline_event(case_id, "case.filed", filed_on)
    return case_id


def respondent_of(case_id: int) -> int:
    """The id of the case's first respondent (被执行人)."""
    with session_scope(read_only=True) as session:
        return session.scalars(
            select(Party.id).where(Party.case_id == case_id, Party.role == "respondent").order_by(Party.id)
        ).first()  # type: ignore[return-value]


# The measures the 终本 gate asks for (DOMAIN.md §5), as (kind, subtype).
TERMINATION_MEASURES: tuple[tuple[str, str | None], ...] = (
    ("execution_notice", None),
    ("property_report_order", None),
    ("consumption_ban", None),
    ("online_property_check", None),
    ("onsite_property_check", "real_estate"),
    ("onsite_property_check", "vehicles"),
    ("onsite_property_check", "business_registration"),
    ("applicant_clues", None),
    ("missing_respondent_search", None),
    ("applicant_heard", None),
)


def add_measure(
    case_id: int,
    kind: str,
    on: date,
    *,
    subtype: str | None = None,
    signed_by: str | None = None,
    document_number: str | None = None,
    amount: Decimal | None = None,
    recorded_by: str = "brigade1-judge",
    reviewed: bool = True,
    approved: bool = True,
) -> int:
    """Insert a measure row as if the handling team had recorded it; returns its id. The president's
    documents are reviewed and approved unless ``reviewed``/``approved`` say otherwise."""
    from app.models.measure import Measure

    with session_scope() as session:
        users = {u.username: u.id for u in session.scalars(select(User))}
        # the president's documents as in force: reviewed by the director, approved by the president
        presidents = kind in get_settings().president_approved_measures
        measure = Measure(
            case_id=case_id,
            kind=kind,
            subtype=subtype,
            taken_on=on,
            document_number=document_number,
            signed_by_id=users["president"]
            if presidents and approved
            else users[signed_by]
            if signed_by
            else None,
            reviewed_by_id=users["director"] if presidents and reviewed else None,
            reviewed_on=on if presidents and reviewed else None,
            approved_by_id=users["president"] if presidents and approved else None,
            approved_on=on if presidents and approved else None,
            amount=amount,
            starts_on=on if kind == "suspension" else None,
            recorded_by_id=users[recorded_by],
        )
        session.add(measure)
        session.flush()
        return measure.id


DISPOSAL_RULING_SERVED = date(2026, 4, 1)


def make_disposal_ready_case(**kwargs: object) -> int:
    """A brigade-1 case whose handling judge signed and served the auction ruling
    (``DISPOSAL_RULING_SERVED``), so it may be sent to the property-disposal group (plan §5(3))."""
    case_id = make_team_case(1, **kwargs)
    add_measure(
        case_id,
        "disposal_document",
        DISPOSAL_RULING_SERVED,
        signed_by="brigade1-judge",
        document_number="拍卖裁定1",
    )
    return case_id


def objection_body(case_id: int, **overrides: object) -> dict[str, object]:
    """``POST /objections``: a party's objection to an enforcement act, received 2026-05-11."""
    return {
        "case_id": case_id,
        "kind": "enforcement_act",
        "filer_name": "某某贸易有限公司",
        "filer_kind": "party",
        "received_on": "2026-05-11",
        "grounds": "查封的房屋系被执行人唯一住房",
        **overrides,
    }


def add_termination_measures(case_id: int, on: date, *, skip: tuple[str, ...] = ()) -> None:
    """Every measure the 终本 gate asks for, dated ``on``, except the kinds in ``skip``."""
    for kind, subtype in TERMINATION_MEASURES:
        if kind not in skip:
            add_measure(case_id, kind, on, subtype=subtype)


def approved_listing(client, auth, case_id: int, *, ground: str, proposed_on: date, decided_on: date) -> int:  # noqa: ANN001
    """A dishonest listing proposed by the handling judge and approved by the director (the case needs
    its consumption ban first); its id."""
    proposal = client.post(
        f"/api/v1/cases/{case_id}/dishonest-listings",
        json={
            "respondent_id": respondent_of(case_id),
            "ground": ground,
            "facts": "拒不履行生效法律文书确定的义务",
            "proposed_on": proposed_on.isoformat(),
        },
        headers=auth("brigade1-judge"),
    )
    assert proposal.status_code == 201, proposal.text
    listing_id: int = proposal.json()["id"]
    decided = client.post(
        f"/api/v1/dishonest-listings/{listing_id}/decision",
        json={"decision": "approve", "decided_on": decided_on.isoformat()},
        headers=auth("director"),
    )
    assert decided.status_code == 200, decided.text
    return listing_id


def close_as_terminated_current(client, auth, case_id: int, closed_on: date) -> None:  # noqa: ANN001
    """Close a checked case as 终本 by its handling judge; it enters the pool."""
    closed = client.post(
        f"/api/v1/cases/{case_id}/closure",
        json={
            "mode": "terminated_current",
            "closed_on": closed_on.isoformat(),
            "document_number": f"（{closed_on.year}）豫0104执{case_id}号之二",
        },
        headers=auth("brigade1-judge"),
    )
    assert closed.status_code == 200, closed.text
