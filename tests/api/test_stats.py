"""The statistics overview of DOMAIN.md §11, as the command center reads it."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import update

from app.database import session_scope
from app.models.case import Case
from app.services import deadline_events
from tests.factories import make_case, make_fast_case, make_team_case

URL = "/api/v1/stats/overview"


def _close(case_id: int, mode: str, closed_on: date) -> None:
    with session_scope() as session:
        session.execute(
            update(Case)
            .where(Case.id == case_id)
            .values(state="closed", closure_mode=mode, closed_on=closed_on)
        )


@pytest.fixture
def court():
    """Five cases: two fast (one closed performed), three in brigades (one 终本), one unregistered."""
    fast_open = make_fast_case(filed_on=date(2026, 3, 2))
    fast_done = make_fast_case(filed_on=date(2026, 3, 2))
    _close(fast_done, "performed", date(2026, 3, 12))
    team_open = make_team_case(1, filed_on=date(2026, 3, 2))
    team_done = make_team_case(2, filed_on=date(2026, 3, 2))
    _close(team_done, "terminated_current", date(2026, 7, 1))
    make_case(filed_on=date(2026, 5, 6))
    return {"fast_open": fast_open, "team_open": team_open}


def test_overview_counts_cases_by_state_track_and_unit(client, auth, court):
    body = client.get(URL, headers=auth("comprehensive")).json()
    assert body["cases_total"] == 5
    assert body["by_state"]["closed"] == 2 and body["by_state"]["in_progress"] == 2
    assert body["by_state"]["filed"] == 1
    assert body["by_track"] == {"simple": 2, "ordinary": 2}
    assert body["by_unit"]["fast"] == {"open": 1, "closed": 1}
    assert body["by_unit"]["brigade-2"] == {"open": 0, "closed": 1}
    assert body["closure_rate"] == {"numerator": 2, "denominator": 5, "ratio": 0.4}
    assert body["termination_share"]["ratio"] == 0.5
    assert body["fast_track_share"] == {"numerator": 2, "denominator": 4, "ratio": 0.5}
    assert body["median_days_to_close"] == pytest.approx((10 + 121) / 2)


def test_overview_filters_by_period_and_unit(client, auth, court):
    may = client.get(URL, params={"filed_from": "2026-05-01"}, headers=auth("director")).json()
    assert may["cases_total"] == 1 and may["closure_rate"]["ratio"] == 0.0
    fast = client.get(URL, params={"unit": "fast"}, headers=auth("director")).json()
    assert fast["cases_total"] == 2 and fast["termination_share"]["numerator"] == 0


def test_overview_counts_deadlines_per_rule_and_petitions_in_time(client, auth):
    case_id = make_case(filed_on=date(2026, 3, 2))
    with session_scope() as session:
        deadline_events.record_event(session, event="case.filed", on=date(2026, 3, 2), case_id=case_id)
        deadline_events.record_event(session, event="case.registered", on=date(2026, 3, 3), case_id=case_id)
    body = client.get(URL, headers=auth("comprehensive")).json()
    assert body["deadlines_by_rule"]["D1"]["met"] == 1
    assert body["deadlines_by_rule"]["D3"]["met"] == 0
    assert body["petitions_closed_in_time"] == {"numerator": 0, "denominator": 0, "ratio": None}


def test_overview_as_csv(client, auth, court):
    response = client.get(URL, params={"format": "csv"}, headers=auth("comprehensive"))
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())  # spreadsheet programs then read UTF-8
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["metric", "dimension", "value"]
    assert ["cases_total", "", "5"] in rows
    assert ["cases_closed_by_unit", "fast", "1"] in rows


@pytest.mark.parametrize("username", ["brigade1-judge", "registrar", "finance", "admin"])
def test_overview_is_for_the_command_center_and_leadership(client, auth, username):
    assert client.get(URL, headers=auth(username)).status_code == 403


def test_overview_rejects_an_inverted_period(client, auth):
    response = client.get(
        URL, params={"filed_from": "2026-05-01", "filed_to": "2026-04-01"}, headers=auth("director")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "filed_to"
    bad = client.get(URL, params={"filed_from": "yesterday"}, headers=auth("director"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "filed_from"
