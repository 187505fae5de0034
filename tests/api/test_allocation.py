"""Allocation (分案) after triage: the fast group, or the least-loaded brigade with rotation on ties,
then the least-loaded judge in it (DOMAIN.md §2)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy import update

from app.database import session_scope
from app.models.case import Case
from app.models.unit import Unit
from app.models.user import User
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_team_case
from tests.factories import make_triage_case

BRIGADES = ["brigade-1", "brigade-2", "brigade-3", "brigade-4"]


def ordinary_case() -> int:
    """250,000.00 against an enterprise with a disposable house: no rule fires (example 7)."""
    return make_triage_case(
        claim_amount=Decimal("250000.00"),
        assets=({"kind": "real_estate", "value": "2000000.00", "disposable": True},),
    )


def simple_case() -> int:
    return make_triage_case(
        claim_amount=Decimal("20000.00"),
        assets=({"kind": "real_estate", "value": "2000000.00", "disposable": True},),
    )


def triage(client, auth, case_id: int) -> dict:  # noqa: ANN001
    response = client.post(f"/api/v1/cases/{case_id}/triage", json={}, headers=auth("comprehensive"))
    assert response.status_code == 200, response.text
    return response.json()


def set_rotation(**seq_by_unit: int) -> None:
    with session_scope() as session:
        for code, seq in seq_by_unit.items():
            unit = Unit.code == code.replace("_", "-")
            session.execute(update(Unit).where(unit).values(last_allocated_seq=seq))


def rotation() -> dict[str, int]:
    with session_scope(read_only=True) as session:
        rows = session.execute(select(Unit.code, Unit.last_allocated_seq).where(Unit.is_brigade))
        return {code: seq for code, seq in rows.tuples()}


def test_a_simple_case_goes_to_the_fast_group_judge(client, auth, user_ids):
    got = triage(client, auth, simple_case())
    assert (got["track"], got["unit"], got["handler_id"]) == ("simple", "fast", user_ids["fast-judge"])
    assert got["allocation_reason"] == (
        "fast: simple track (plan §5(1)); judge fast-judge: fewest open cases (0)"
    )
    assert rotation() == dict.fromkeys(BRIGADES, 0)  # simple cases do not move the brigade rotation


def test_the_first_ordinary_case_goes_to_brigade_1_by_rotation(client, auth, user_ids):
    got = triage(client, auth, ordinary_case())
    assert (got["track"], got["unit"]) == ("ordinary", "brigade-1")
    assert got["handler_id"] == user_ids["brigade1-judge"]
    assert got["allocation_reason"] == (
        "brigade-1: fewest open cases (0), tied with brigade-2, brigade-3, brigade-4; "
        "least recently allocated; judge brigade1-judge: fewest open cases (0)"
    )
    assert rotation()["brigade-1"] == 1


def test_loads_stay_within_one_after_many_allocations(client, auth):
    units = [triage(client, auth, ordinary_case())["unit"] for _ in range(10)]
    assert units == BRIGADES * 2 + BRIGADES[:2]
    loads = Counter(units)
    assert max(loads.values()) - min(loads.values()) <= 1
    with session_scope(read_only=True) as session:
        handlers = Counter(session.scalars(select(Case.handler_id).where(Case.unit_code == "brigade-1")))
    assert sorted(handlers.values()) == [1, 2]  # brigade-1's three cases spread over its two judges


def test_the_brigade_with_the_fewest_open_cases_wins(client, auth):
    for brigade, count in (("1", 3), ("2", 1), ("3", 2), ("4", 2)):
        for _ in range(count):
            make_team_case(int(brigade))
    set_rotation(brigade_2=9)  # rotation only breaks ties
    got = triage(client, auth, ordinary_case())
    assert got["unit"] == "brigade-2"
    assert got["allocation_reason"].startswith("brigade-2: fewest open cases (1); judge ")


def test_closed_cases_do_not_count(client, auth):
    for _ in range(3):
        make_team_case(1, state="closed")
    for brigade in (2, 3, 4):
        make_team_case(brigade, state="at_disposal")
    assert triage(client, auth, ordinary_case())["unit"] == "brigade-1"


def test_ties_go_to_the_least_recently_allocated_brigade(client, auth):
    for brigade in (1, 2, 3, 4):
        make_team_case(brigade)
    set_rotation(brigade_1=5, brigade_2=3, brigade_3=4, brigade_4=6)
    got = triage(client, auth, ordinary_case())
    assert got["unit"] == "brigade-2"
    assert "tied with brigade-1, brigade-3, brigade-4; least recently allocated" in got["allocation_reason"]
    assert rotation() == {"brigade-1": 5, "brigade-2": 7, "brigade-3": 4, "brigade-4": 6}
    assert triage(client, auth, ordinary_case())["unit"] == "brigade-3"  # loads 1,2,1,1: seq 4 is oldest


def test_within_the_brigade_the_judge_with_fewest_open_cases_wins(client, auth, user_ids):
    for brigade in (1, 3, 4):
        make_team_case(brigade)
        make_team_case(brigade)
    make_case(state="in_progress", unit_code="brigade-2", handler="brigade2-judge", track="ordinary")
    make_case(state="closed", unit_code="brigade-2", handler="brigade2-judge2", track="ordinary")
    got = triage(client, auth, ordinary_case())
    assert (got["unit"], got["handler_id"]) == ("brigade-2", user_ids["brigade2-judge2"])
    assert got["allocation_reason"].endswith("judge brigade2-judge2: fewest open cases (0)")


def test_fast_judges_share_simple_cases_by_load(client, auth, user_ids):
    for _ in range(2):
        make_fast_case()
    got = triage(client, auth, simple_case())
    assert got["handler_id"] == user_ids["fast-judge"]
    assert got["allocation_reason"].endswith("fewest open cases (2)")


def _deactivate(*usernames: str) -> None:
    with session_scope() as session:
        session.execute(update(User).where(User.username.in_(usernames)).values(is_active=False))


def test_a_brigade_without_an_active_judge_is_skipped(client, auth, user_ids):
    _deactivate("brigade1-judge", "brigade1-judge2")
    got = triage(client, auth, ordinary_case())
    assert (got["unit"], got["handler_id"]) == ("brigade-2", user_ids["brigade2-judge"])


def test_no_active_fast_judge_is_409_and_nothing_changes(client, auth):
    _deactivate("fast-judge")
    case_id = simple_case()
    response = client.post(f"/api/v1/cases/{case_id}/triage", json={}, headers=auth("comprehensive"))
    assert response.status_code == 409
    with session_scope(read_only=True) as session:
        assert session.get(Case, case_id).state == "registered"


@pytest.mark.parametrize("count", [7, 13])
def test_handbacks_keep_brigades_balanced(client, auth, count):
    fast_cases = [make_fast_case() for _ in range(count)]
    units = []
    for case_id in fast_cases:
        response = client.post(
            f"/api/v1/cases/{case_id}/handback", json={"reason": "复杂"}, headers=auth("fast-judge")
        )
        assert response.status_code == 200, response.text
        units.append(response.json()["unit"])
    loads = Counter(units)
    assert set(loads) == set(BRIGADES)
    assert max(loads.values()) - min(loads.values()) <= 1
