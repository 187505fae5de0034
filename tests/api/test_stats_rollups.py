"""The statistics' roll-ups add up: after a random sequence of intakes, registrations, triages,
closings (performed and 终本) and restorations through the API, refused requests included, every
figure read from the roll-ups equals a direct count of the case and deadline rows, and the counters
the triggers kept equal those a rebuild counts from scratch."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import text

from app import rollups
from app.database import get_engine
from app.database import session_scope
from app.models.case import Case
from app.services import stats
from app.settings import court_today
from tests.factories import add_termination_measures
from tests.factories import case_body
from tests.factories import make_filed_case
from tests.factories import make_team_case

TODAY = court_today()
UNITS = ("fast", "brigade-1", "brigade-2", "brigade-3", "brigade-4")


class Court:
    """Drives the API as the court's users would, remembering what it filed."""

    def __init__(self, client, auth, user_ids: dict[str, int], rng: random.Random) -> None:  # noqa: ANN001
        self.client, self.auth, self.rng = client, auth, rng
        self.username = {v: k for k, v in user_ids.items()}
        self.cases: list[int] = []
        self.serial = 900

    def post(self, user: str, path: str, body: dict | None = None) -> dict | None:
        response = self.client.post(f"/api/v1{path}", json=body or {}, headers=self.auth(user))
        assert response.status_code < 500, response.text
        return response.json() if response.status_code in (200, 201) else None

    def case(self, case_id: int) -> dict:
        return self.client.get(f"/api/v1/cases/{case_id}", headers=self.auth("director")).json()

    def intake(self) -> None:
        filed = TODAY - timedelta(days=self.rng.randint(0, 420))
        self.serial += 1
        body = case_body(self.serial, year=filed.year, filed_on=filed.isoformat())
        if created := self.post("filing-bot", "/cases", body):
            self.cases.append(created["id"])

    def register(self, case: dict) -> None:
        self.post(
            "comprehensive",
            f"/cases/{case['id']}/registration",
            {
                "registered_on": case["filed_on"],
                "investigation_completed": True,
                "willing_to_perform": self.rng.random() < 0.4,
            },
        )

    def triage(self, case: dict) -> None:
        self.post("comprehensive", f"/cases/{case['id']}/triage")

    def close(self, case: dict) -> None:
        if case["handler_id"] is None:
            return
        filed = date.fromisoformat(case["filed_on"])
        closed_on = min(TODAY, filed + timedelta(days=self.rng.randint(0, 200)))
        self.post(
            self.username[case["handler_id"]],
            f"/cases/{case['id']}/closure",
            {"mode": "performed", "closed_on": closed_on.isoformat()},
        )

    def terminate(self) -> None:
        """A brigade's case that passed the 终本 gate, closed as 终本 by its judge."""
        brigade = self.rng.randint(1, 4)
        filed = TODAY - timedelta(days=self.rng.randint(150, 400))
        case_id = make_team_case(brigade, filed_on=filed)
        add_termination_measures(case_id, filed + timedelta(days=20))
        self.cases.append(case_id)
        self.post(
            f"brigade{brigade}-judge",
            f"/cases/{case_id}/closure",
            {
                "mode": "terminated_current",
                "closed_on": TODAY.isoformat(),
                "document_number": f"（{filed.year}）豫0104执{case_id}号之二",
            },
        )

    def restore(self, case: dict) -> None:
        restored = self.post(
            "comprehensive",
            f"/cases/{case['id']}/restoration",
            {"reason": "申请执行人提供新的财产线索", "restored_on": TODAY.isoformat()},
        )
        if restored:
            self.cases.append(restored["case_id"])

    def step(self) -> None:
        if not self.cases or self.rng.random() < 0.3:
            self.intake()
            return
        if self.rng.random() < 0.1:
            self.terminate()
            return
        case = self.case(self.rng.choice(self.cases))
        action = {
            "filed": self.register,
            "registered": self.triage,
            "triaged": self.close,
            "in_progress": self.close,
        }.get(case["state"])
        if case["state"] == "closed" and case["closure_mode"] == "terminated_current":
            action = self.restore
        elif self.rng.random() < 0.1:
            action = self.close  # refused unless the case may be closed: nothing may change
        if action:
            action(case)


def _periods(rng: random.Random) -> list[stats.CaseFilter]:
    filters = [stats.CaseFilter(), *(stats.CaseFilter(unit=u) for u in UNITS)]
    for _ in range(6):
        start = TODAY - timedelta(days=rng.randint(0, 450))
        end = start + timedelta(days=rng.randint(0, 200))
        filters.append(stats.CaseFilter(filed_from=start, filed_to=end, unit=rng.choice((None, *UNITS))))
    this_month = TODAY.replace(day=1)
    filters += [
        stats.CaseFilter(filed_from=this_month - timedelta(days=90)),
        stats.CaseFilter(filed_to=this_month - timedelta(days=1), unit="fast"),
    ]
    return filters


@pytest.mark.parametrize("seed", [7, 2024])
def test_rollups_equal_direct_counts_after_random_operations(client, auth, user_ids, seed):
    rng = random.Random(seed)
    court = Court(client, auth, user_ids, rng)
    for _ in range(70):
        court.step()

    with session_scope(read_only=True) as session:
        states = Counter(session.scalars(select(Case.state)))
        assert states["closed"] and states["triaged"] + states["in_progress"], states  # the walk went far
        assert session.scalar(select(Case.id).where(Case.origin_case_id.is_not(None))), "no restoration"
        for where in _periods(rng):
            direct = stats.direct_tally(session, where)
            assert stats.tally_for(session, where) == direct, where
        trends = stats.trends(session, today=TODAY, months=24, unit=None)
        cases = session.execute(select(Case.filed_on, Case.closed_on, Case.closure_mode)).all()
        workload = {load.handler_id: load.open_cases for load in stats.workload(session, unit=None)}
        open_by_judge = Counter(
            session.scalars(
                select(Case.handler_id).where(Case.state != "closed", Case.handler_id.is_not(None))
            )
        )
    filed = Counter(f"{row.filed_on:%Y-%m}" for row in cases)
    closed = Counter(f"{row.closed_on:%Y-%m}" for row in cases if row.closed_on)
    terminated = Counter(
        f"{row.closed_on:%Y-%m}" for row in cases if row.closure_mode == "terminated_current"
    )
    assert trends.total.filed == [filed[m] for m in trends.months]
    assert trends.total.closed == [closed[m] for m in trends.months]
    assert trends.total.terminated_current == [terminated[m] for m in trends.months]
    assert workload == dict(open_by_judge)

    # The overview the API answers is the one counted from the rows.
    for params in ({}, {"unit": "brigade-2"}, {"filed_from": (TODAY - timedelta(days=100)).isoformat()}):
        shown = client.get("/api/v1/stats/overview", params=params, headers=auth("director")).json()
        with session_scope(read_only=True) as session:
            where = stats.CaseFilter(
                filed_from=date.fromisoformat(params["filed_from"]) if "filed_from" in params else None,
                unit=params.get("unit"),
            )
            expected = stats.overview_of(stats.direct_tally(session, where))
        assert shown["cases_total"] == expected.cases_total and shown["by_unit"] == expected.by_unit
        assert shown["median_days_to_close"] == expected.median_days_to_close

    assert rollups.main(["check"]) == 0


def test_the_rollup_check_finds_a_counter_off_and_the_rebuild_mends_it(capsys):
    make_team_case(1, filed_on=date(2026, 3, 2))
    assert rollups.main(["check"]) == 0
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE case_tally SET n = n + 1"))
    assert rollups.main(["check"]) == 1
    assert "counters differ" in capsys.readouterr().out
    assert rollups.main(["rebuild"]) == 0 and rollups.main(["check"]) == 0


def test_the_sweeps_bulk_update_moves_clocks_from_open_to_breached_in_the_counters(client, auth):
    from app.sweep import run_sweep

    make_filed_case(
        TODAY - timedelta(days=60), state="in_progress", unit_code="brigade-2", handler="brigade2-judge"
    )
    before = client.get("/api/v1/stats/overview", headers=auth("director")).json()["deadlines_by_unit"][
        "brigade-2"
    ]
    report = run_sweep(today=TODAY)
    after = client.get("/api/v1/stats/overview", headers=auth("director")).json()["deadlines_by_unit"][
        "brigade-2"
    ]
    assert report.breached >= 1
    assert after["breached"] == before["breached"] + report.breached
    assert after["open"] == before["open"] - report.breached
    assert rollups.main(["check"]) == 0
