"""The working-day calendar: library data, the court's overrides, and deadlines that follow them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.services import deadline_clocks
from app.services import working_calendar as court_calendar
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_filed_case

D = date.fromisoformat
URL = "/api/v1/calendar/{}"
# The 2027 arrangement as a court might load it (illustrative): Spring Festival 6-12 Feb, 1 Mar rest.
NOTICE_2027 = {
    "holidays": [
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-02-09",
        "2027-02-10",
        "2027-02-11",
        "2027-02-12",
        "2027-03-01",
    ],
    "makeup_workdays": ["2027-02-13", "2027-02-20"],
    "source_note": "国办发明电〔2026〕7号",
}


def put(client, auth, year: int, body: dict, username: str = "admin", **headers: str):  # noqa: ANN001, ANN201
    return client.put(URL.format(year), json=body, headers=auth(username, **headers))


def test_a_library_year_is_confirmed_with_its_make_up_days(client, auth):
    response = client.get(URL.format(2026), headers=auth("brigade2-judge"))
    assert response.status_code == 200
    body = response.json()
    assert (body["source"], body["confirmed"], body["version"]) == ("package", True, 0)
    assert "2026-02-14" in body["makeup_workdays"] and "2026-10-01" in body["holidays"]


def test_a_year_nobody_knows_is_weekends_only_and_unconfirmed(client, auth):
    body = client.get(URL.format(2027), headers=auth("finance")).json()
    assert (body["source"], body["confirmed"], body["holidays"], body["makeup_workdays"]) == (
        "weekends_only",
        False,
        [],
        [],
    )


def test_calendar_needs_a_token(client):
    assert client.get(URL.format(2026)).status_code == 401


def test_admin_loads_a_year_and_everyone_sees_the_courts_calendar(client, auth):
    response = put(client, auth, 2027, NOTICE_2027)
    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"1"'
    body = client.get(URL.format(2027), headers=auth("registrar")).json()
    assert (body["source"], body["confirmed"], body["version"], body["source_note"]) == (
        "court",
        True,
        1,
        "国办发明电〔2026〕7号",
    )
    assert (
        body["holidays"] == NOTICE_2027["holidays"]
        and body["makeup_workdays"] == NOTICE_2027["makeup_workdays"]
    )


def test_loading_a_year_is_audited_before_and_after(client, auth):
    put(client, auth, 2027, NOTICE_2027)
    put(client, auth, 2027, {**NOTICE_2027, "holidays": ["2027-01-01"]})
    with session_scope(read_only=True) as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "calendar.update").order_by(AuditEntry.id)
        ).all()
    assert [(e.before["source"], e.after["source"]) for e in entries] == [
        ("weekends_only", "court"),
        ("court", "court"),
    ]
    assert entries[1].before["holidays"] == NOTICE_2027["holidays"]
    assert entries[1].after["holidays"] == ["2027-01-01"] and entries[1].actor_username == "admin"


@pytest.mark.parametrize("username", ["director", "comprehensive", "brigade1-judge", "registrar"])
def test_only_the_admin_may_load_a_calendar(client, auth, username):
    assert put(client, auth, 2027, NOTICE_2027, username).status_code == 403
    assert client.get(URL.format(2027), headers=auth(username)).json()["source"] == "weekends_only"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"holidays": ["2026-12-31"]}, "holidays"),
        ({"holidays": ["2027-01-01", "2027-01-01"]}, "holidays"),
        ({"holidays": ["2027-02-13"], "makeup_workdays": ["2027-02-13"]}, "makeup_workdays"),
        ({"holidays": [], "makeup_workdays": ["2027-02-15"]}, "makeup_workdays"),  # a Monday
        ({"holidays": [], "makeup_workdays": ["2028-01-08"]}, "makeup_workdays"),
        ({"holidays": ["2027-02-30"]}, "holidays.0"),
        ({"makeup_workdays": []}, "holidays"),
        ({"holidays": [], "note": "x"}, "note"),
    ],
)
def test_a_bad_calendar_is_422_naming_the_field(client, auth, body, field):
    response = put(client, auth, 2027, body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert client.get(URL.format(2027), headers=auth("admin")).json()["source"] == "weekends_only"


@pytest.mark.parametrize("year", [1800, 3000])
def test_a_year_out_of_range_is_422(client, auth, year):
    assert client.get(URL.format(year), headers=auth("admin")).json()["errors"][0]["field"] == "year"
    assert put(client, auth, year, {"holidays": []}).status_code == 422


@pytest.mark.parametrize(("year", "status"), [(1989, 422), (1990, 200), (2100, 200), (2101, 422)])
def test_a_calendar_loads_from_1990_to_2100_inclusive(client, auth, year, status):
    # README: ENFORCEMENT_CALENDAR_FIRST_YEAR and _LAST_YEAR default to 1990 and 2100, both allowed.
    response = put(client, auth, year, {"holidays": [], "source_note": "边界年份"})
    assert response.status_code == status, response.text
    shown = client.get(URL.format(year), headers=auth("admin"))
    if status == 200:
        assert (shown.json()["source"], shown.json()["source_note"]) == ("court", "边界年份")
    else:
        assert [e["field"] for e in response.json()["errors"]] == ["year"]
        assert [e["field"] for e in shown.json()["errors"]] == ["year"]


def test_a_stale_if_match_is_412(client, auth):
    assert put(client, auth, 2027, NOTICE_2027, **{"If-Match": '"0"'}).status_code == 200
    assert put(client, auth, 2027, NOTICE_2027, **{"If-Match": '"0"'}).status_code == 412
    assert put(client, auth, 2027, NOTICE_2027, **{"If-Match": '"1"'}).status_code == 200


def test_six_months_from_31_august_2026_is_provisional_until_the_court_loads_2027(client, auth):
    case_id = make_filed_case(D("2026-08-31"))

    def d3() -> tuple[str, bool]:
        with session_scope(read_only=True) as session:
            clock = next(d for d in deadline_clocks.list_for_case(session, case_id) if d.rule == "D3")
        return clock.due_on.isoformat(), clock.provisional

    assert d3() == ("2027-03-01", True)  # Sun 28 Feb 2027 -> Mon 1 Mar, weekends only
    response = put(client, auth, 2027, {"holidays": [], "makeup_workdays": []})
    assert response.json()["deadlines_recomputed"] >= 1
    assert d3() == ("2027-03-01", False)
    put(client, auth, 2027, NOTICE_2027)  # 1 Mar declared a rest day
    assert d3() == ("2027-03-02", False)


def test_correcting_a_library_year_recomputes_its_deadlines(client, auth):
    case_id = make_filed_case(D("2026-02-13"))
    with session_scope(read_only=True) as session:
        assert deadline_clocks.list_for_case(session, case_id)[0].due_on == D("2026-02-14")
    put(client, auth, 2026, {"holidays": ["2026-02-16"], "makeup_workdays": []})  # 14 Feb no longer worked
    with session_scope(read_only=True) as session:
        d1 = deadline_clocks.list_for_case(session, case_id)[0]
    assert (d1.rule, d1.due_on) == ("D1", D("2026-02-17"))


def test_a_change_saved_by_another_process_is_seen_at_once():
    with session_scope(read_only=True) as session:
        assert not court_calendar.working_calendar(session).is_confirmed(2027)  # now cached
    other = create_engine(TEST_DATABASE_URL)  # another process's connection, bypassing this one's cache
    with other.begin() as conn:
        admin_id = conn.execute(text("SELECT id FROM \"user\" WHERE username = 'admin'")).scalar()
        conn.execute(
            text(
                "INSERT INTO calendar_year (year, holidays, makeup_workdays, updated_by_id, updated_at,"
                " version) VALUES (2027, '[\"2027-01-01\"]', '[]', :uid, CURRENT_TIMESTAMP, 1)"
            ),
            {"uid": admin_id},
        )
    other.dispose()
    with session_scope(read_only=True) as session:
        calendar = court_calendar.working_calendar(session)
    assert calendar.is_confirmed(2027) and not calendar.is_working_day(D("2027-01-01"))


def test_the_body_may_repeat_the_year_and_name_the_notice_as_source(client, auth):
    body = {"year": 2027, "holidays": ["2027-01-01"], "source": "国办发明电〔2026〕7号"}
    response = put(client, auth, 2027, body)
    assert response.status_code == 200, response.text
    assert response.json()["source_note"] == "国办发明电〔2026〕7号"
    mismatch = put(client, auth, 2027, {**body, "year": 2028})
    assert mismatch.status_code == 422 and mismatch.json()["errors"][0]["field"] == "year"
