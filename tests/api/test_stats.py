"""The statistics overview of DOMAIN.md §11, as the command center reads it."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from datetime import timedelta

import pytest

from app.database import session_scope
from app.services import deadline_events
from app.services import stats
from app.settings import court_today
from app.sweep import run_sweep
from tests.factories import close_directly
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_filed_case
from tests.factories import make_team_case

URL = "/api/v1/stats/overview"
TODAY = court_today()


@pytest.fixture
def court():
    """Five cases: two fast (one closed performed), three in brigades (one 终本), one unregistered."""
    fast_open = make_fast_case(filed_on=date(2026, 3, 2))
    fast_done = make_fast_case(filed_on=date(2026, 3, 2))
    close_directly(fast_done, "performed", date(2026, 3, 12))
    team_open = make_team_case(1, filed_on=date(2026, 3, 2))
    team_done = make_team_case(2, filed_on=date(2026, 3, 2))
    close_directly(team_done, "terminated_current", date(2026, 7, 1))
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


# Hand-counted figures: an empty period, a unit with no cases, a period of odd days ---------------------


def test_an_empty_period_and_a_unit_without_cases_show_zeros_not_errors(client, auth, court):
    empty = client.get(URL, params={"filed_from": "2030-01-01"}, headers=auth("director")).json()
    assert empty["cases_total"] == 0 and set(empty["by_state"].values()) == {0}
    assert empty["by_unit"] == {} and empty["deadlines_by_rule"] == {}
    assert empty["closure_rate"] == {"numerator": 0, "denominator": 0, "ratio": None}
    assert empty["median_days_to_close"] is None and empty["disposal_turnaround_days"] is None
    idle = client.get(URL, params={"unit": "brigade-4"}, headers=auth("director")).json()
    assert idle["cases_total"] == 0 and idle["by_unit"] == {} and idle["fast_track_share"]["ratio"] is None


def test_a_period_of_odd_days_counts_the_days_of_its_partial_months_exactly(client, auth):
    """Feb 28 – Apr 1: the partial months' days come from the rows, March from the roll-ups."""
    for filed_on in (date(2026, 2, 27), date(2026, 4, 2)):  # outside
        make_team_case(1, filed_on=filed_on)
    inside = [
        make_team_case(1, filed_on=date(2026, 2, 28)),
        make_fast_case(filed_on=date(2026, 3, 1)),
        make_fast_case(filed_on=date(2026, 3, 31)),
        make_team_case(3, filed_on=date(2026, 4, 1)),
    ]
    close_directly(inside[0], "performed", date(2026, 3, 10))  # 10 days
    close_directly(inside[1], "terminated_current", date(2026, 3, 31))  # 30 days
    close_directly(inside[3], "performed", date(2026, 5, 1))  # 30 days
    body = client.get(
        URL, params={"filed_from": "2026-02-28", "filed_to": "2026-04-01"}, headers=auth("director")
    ).json()
    assert body["cases_total"] == 4
    assert body["by_unit"] == {
        "brigade-1": {"open": 0, "closed": 1},
        "brigade-3": {"open": 0, "closed": 1},
        "fast": {"open": 1, "closed": 1},
    }
    assert body["median_days_to_close"] == 30.0
    assert body["termination_share"] == {"numerator": 1, "denominator": 3, "ratio": 0.3333}
    march = client.get(
        URL, params={"filed_from": "2026-03-01", "filed_to": "2026-03-31"}, headers=auth("director")
    ).json()
    assert march["cases_total"] == 2 and march["median_days_to_close"] == 30.0


@pytest.mark.parametrize(
    ("filed_from", "filed_to", "months", "days"),
    [
        (None, None, (None, None), ()),
        (date(2024, 1, 1), date(2024, 12, 31), ("2024-01", "2024-12"), ()),
        (
            date(2024, 1, 15),
            date(2024, 3, 10),
            ("2024-02", "2024-02"),
            ((date(2024, 1, 15), date(2024, 1, 31)), (date(2024, 3, 1), date(2024, 3, 10))),
        ),
        (date(2024, 1, 15), date(2024, 1, 20), None, ((date(2024, 1, 15), date(2024, 1, 20)),)),
        (date(2024, 1, 15), date(2024, 2, 10), None, ((date(2024, 1, 15), date(2024, 2, 10)),)),
        (None, date(2024, 2, 29), (None, "2024-02"), ()),
        (date(2023, 12, 2), None, ("2024-01", None), ((date(2023, 12, 2), date(2023, 12, 31)),)),
    ],
)
def test_a_filing_period_splits_into_whole_months_and_the_days_around_them(
    filed_from, filed_to, months, days
):
    split = stats.split_period(filed_from, filed_to)
    assert split.months == months and split.day_ranges == days


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([7], 7.0), ([10, 121], 65.5), ([1, 2, 2, 9], 2.0), ([3, 3, 3, 4, 100], 3.0), ([1, 2], 1.5)],
)
def test_the_median_of_a_histogram_is_that_of_its_values(values, expected):
    assert stats.median(Counter(values)) == expected


# Trends, workload, deadlines due soon and overdue ------------------------------------------------------


def test_trends_count_filings_closings_and_终本_per_month_by_unit(client, auth):
    this_month = TODAY.replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    old = make_team_case(2, filed_on=last_month)
    make_team_case(2, filed_on=this_month)
    fast = make_fast_case(filed_on=last_month)
    close_directly(old, "terminated_current", this_month)
    close_directly(fast, "performed", last_month)
    make_fast_case(filed_on=date(TODAY.year - 3, 1, 5))  # before the 24 months
    body = client.get("/api/v1/stats/trends", headers=auth("comprehensive")).json()
    assert len(body["months"]) == 24 and body["months"][-1] == f"{TODAY:%Y-%m}"
    assert body["months"][-2] == f"{last_month:%Y-%m}"
    assert body["total"]["filed"][-2:] == [2, 1] and sum(body["total"]["filed"]) == 3
    assert body["total"]["closed"][-2:] == [1, 1] and body["total"]["terminated_current"][-2:] == [0, 1]
    assert body["by_unit"]["brigade-2"]["filed"][-2:] == [1, 1]
    assert body["by_unit"]["brigade-2"]["terminated_current"][-1] == 1
    assert body["by_unit"]["fast"]["closed"][-2:] == [1, 0]
    one = client.get("/api/v1/stats/trends", params={"unit": "fast", "months": 3}, headers=auth("director"))
    assert one.json()["total"]["filed"] == [0, 1, 0] and list(one.json()["by_unit"]) == ["fast"]
    csv_rows = _csv_rows(
        client.get("/api/v1/stats/trends", params={"format": "csv"}, headers=auth("director"))
    )
    assert csv_rows[0] == ["month", "unit", "filed", "closed", "terminated_current"]
    assert [f"{TODAY:%Y-%m}", "brigade-2", "1", "1", "1"] in csv_rows  # a 终本 closing is a closing


def test_workload_counts_each_judges_open_cases_with_the_oldest(client, auth, user_ids):
    oldest = make_team_case(1, filed_on=date(2025, 1, 6))
    make_team_case(1, filed_on=date(2026, 2, 2))
    close_directly(
        make_team_case(1, filed_on=date(2024, 1, 2)), "performed", date(2024, 6, 1)
    )  # closed: not counted
    fast = make_fast_case(filed_on=date(2026, 3, 2))
    body = client.get("/api/v1/stats/workload", headers=auth("director")).json()
    judges = {j["username"]: j for j in body["judges"]}
    assert [j["username"] for j in body["judges"]] == ["brigade1-judge", "fast-judge"]
    assert (
        judges["brigade1-judge"]["open_cases"] == 2 and judges["brigade1-judge"]["oldest_case_id"] == oldest
    )
    assert judges["brigade1-judge"]["oldest_filed_on"] == "2025-01-06"
    assert judges["fast-judge"] | {"handler_id": 0} == {
        "handler_id": 0,
        "username": "fast-judge",
        "full_name": "快执组法官",
        "unit_code": "fast",
        "open_cases": 1,
        "oldest_case_id": fast,
        "oldest_case_number": judges["fast-judge"]["oldest_case_number"],
        "oldest_filed_on": "2026-03-02",
    }
    brigade = client.get("/api/v1/stats/workload", params={"unit": "fast"}, headers=auth("director")).json()
    assert [j["username"] for j in brigade["judges"]] == ["fast-judge"]
    rows = _csv_rows(client.get("/api/v1/stats/workload", params={"format": "csv"}, headers=auth("director")))
    assert rows[0][:5] == ["handler_id", "username", "full_name", "unit_code", "open_cases"]
    assert rows[2][1:5] == ["fast-judge", "快执组法官", "fast", "1"]  # Chinese survives the BOM'd UTF-8


def _board_counts(client, auth, status: str) -> Counter[tuple[str, str]]:
    """(unit, rule) of every line of the deadline board with ``status``, paging to the end."""
    counts: Counter[tuple[str, str]] = Counter()
    params: dict[str, object] = {"status": status, "limit": 200}
    while True:
        page = client.get("/api/v1/deadlines", params=params, headers=auth("comprehensive")).json()
        counts.update((line["unit"] or "", line["rule"]) for line in page["items"])
        if not page.get("next_cursor"):
            return counts
        params["cursor"] = page["next_cursor"]


def test_deadlines_due_soon_and_overdue_per_unit_and_rule_equal_the_board(client, auth):
    make_filed_case(
        TODAY - timedelta(days=40), state="in_progress", unit_code="brigade-1", handler="brigade1-judge"
    )
    make_filed_case(TODAY - timedelta(days=1), state="in_progress", unit_code="fast", handler="fast-judge")
    make_filed_case(
        TODAY - timedelta(days=200), state="in_progress", unit_code="brigade-2", handler="brigade2-judge"
    )
    assert run_sweep(today=TODAY - timedelta(days=100)).breached  # some breached, later ones still open
    body = client.get("/api/v1/stats/deadlines", headers=auth("director")).json()
    assert body["today"] == TODAY.isoformat()
    for kind in ("overdue", "due_soon"):
        board = _board_counts(client, auth, kind)
        assert sum(board.values()) == body["total"][kind], kind
        per_unit: Counter[str] = Counter()
        per_rule: Counter[str] = Counter()
        for (unit, rule), n in board.items():
            per_unit[unit] += n
            per_rule[rule] += n
        assert {u: c[kind] for u, c in body["by_unit"].items() if c[kind]} == dict(per_unit), kind
        assert {r: c[kind] for r, c in body["by_rule"].items() if c[kind]} == dict(per_rule), kind
    assert body["by_unit"]["brigade-2"]["overdue"] >= 1 and body["total"]["due_soon"] >= 1
    fast = client.get("/api/v1/stats/deadlines", params={"unit": "fast"}, headers=auth("director")).json()
    assert list(fast["by_unit"]) == ["fast"]
    rows = _csv_rows(
        client.get("/api/v1/stats/deadlines", params={"format": "csv"}, headers=auth("director"))
    )
    assert rows[0] == ["dimension", "key", "due_soon", "overdue"]
    assert rows[1] == ["total", "", str(body["total"]["due_soon"]), str(body["total"]["overdue"])]


@pytest.mark.parametrize(
    "path", ["/api/v1/stats/trends", "/api/v1/stats/workload", "/api/v1/stats/deadlines"]
)
@pytest.mark.parametrize("username", ["brigade1-judge", "registrar", "finance"])
def test_every_figure_set_is_for_the_command_center_and_leadership(client, auth, path, username):
    assert client.get(path, headers=auth(username)).status_code == 403
    assert client.get(path, headers=auth("comprehensive-lead")).status_code == 200


def test_trends_reject_a_number_of_months_out_of_range(client, auth):
    response = client.get("/api/v1/stats/trends", params={"months": 0}, headers=auth("director"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "months"


def _csv_rows(response) -> list[list[str]]:  # noqa: ANN001
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
