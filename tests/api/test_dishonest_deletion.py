"""Each ground of the SPC dishonest-list rules art. 10 starts the deletion clock D11 by itself."""

from __future__ import annotations

from datetime import date

from app.sweep import run_sweep
from tests.factories import add_measure
from tests.factories import approved_listing
from tests.factories import make_team_case

BANNED = date(2024, 4, 1)


def listed_case(client, auth, *, decided_on: str = "2024-05-06") -> tuple[int, int]:
    case_id = make_team_case(1, filed_on=date(2024, 3, 1))
    add_measure(case_id, "consumption_ban", BANNED, signed_by="director", document_number="限制消费令1")
    listing_id = approved_listing(
        client,
        auth,
        case_id,
        ground="obstructs",
        proposed_on=date(2024, 4, 2),
        decided_on=date.fromisoformat(decided_on),
    )
    return case_id, listing_id


def listing(client, auth, listing_id: int) -> dict:
    return client.get(f"/api/v1/dishonest-listings/{listing_id}", headers=auth("director")).json()


def d11(client, auth, case_id: int) -> list[tuple[str, str]]:
    deadlines = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
    return [(d["started_on"], d["due_on"]) for d in deadlines if d["rule"] == "D11"]


def measure(client, auth, case_id: int, kind: str, on: str):
    return client.post(
        f"/api/v1/cases/{case_id}/measures", json={"kind": kind, "on": on}, headers=auth("brigade1-judge")
    )


def test_a_signed_settlement_does_not_start_d11_but_its_performance_does(client, auth):
    case_id, listing_id = listed_case(client, auth)
    assert measure(client, auth, case_id, "settlement_performed", "2026-04-20").status_code == 409
    assert measure(client, auth, case_id, "settlement_agreement", "2026-04-20").status_code == 201
    assert listing(client, auth, listing_id)["state"] == "active" and d11(client, auth, case_id) == []
    manual = client.post(
        f"/api/v1/dishonest-listings/{listing_id}/deletion-trigger",
        json={"trigger": "settled", "triggered_on": "2026-04-21"},
        headers=auth("brigade1-judge"),
    )
    assert manual.status_code == 409 and manual.json()["missing"] == ["settlement_performed"]
    assert measure(client, auth, case_id, "settlement_performed", "2026-04-28").status_code == 201
    shown = listing(client, auth, listing_id)
    assert (shown["state"], shown["deletion_trigger"]) == ("deletion_pending", "settled")
    # 3 working days from Tue 28 April: 29, 30 April, then 1–5 May are holidays -> Wed 6 May.
    assert d11(client, auth, case_id) == [("2026-04-28", "2026-05-06")]


def test_closing_as_settled_before_the_settlement_is_performed_starts_nothing(client, auth):
    case_id, listing_id = listed_case(client, auth)
    assert measure(client, auth, case_id, "settlement_agreement", "2026-04-20").status_code == 201
    closed = client.post(
        f"/api/v1/cases/{case_id}/closure",
        json={"mode": "settled", "closed_on": "2026-04-21"},
        headers=auth("brigade1-judge"),
    )
    assert closed.status_code == 200 and closed.json()["dishonest_deletions_triggered"] == []
    assert listing(client, auth, listing_id)["state"] == "active"


def test_the_applicants_withdrawal_ends_enforcement_and_starts_d11(client, auth):
    case_id, listing_id = listed_case(client, auth)
    closed = client.post(
        f"/api/v1/cases/{case_id}/closure",
        json={"mode": "withdrawn", "closed_on": "2026-03-06"},
        headers=auth("brigade1-judge"),
    )
    assert closed.status_code == 200 and closed.json()["dishonest_deletions_triggered"] == [listing_id]
    assert listing(client, auth, listing_id)["deletion_trigger"] == "enforcement_ended"
    assert d11(client, auth, case_id) == [("2026-03-06", "2026-03-11")]


def test_the_applicants_written_request_starts_d11(client, auth):
    case_id, listing_id = listed_case(client, auth)
    response = client.post(
        f"/api/v1/dishonest-listings/{listing_id}/deletion-trigger",
        json={
            "trigger": "applicant_request",
            "triggered_on": "2026-09-30",
            "reason": "申请执行人书面申请删除",
        },
        headers=auth("brigade1-judge"),
    )
    assert response.status_code == 200, response.text
    # 1–7 October are holidays; 8, 9 and the make-up Saturday 10 October are the three working days.
    assert d11(client, auth, case_id) == [("2026-09-30", "2026-10-10")]


def test_the_sweep_starts_d11_when_the_term_ends(client, auth):
    case_id, listing_id = listed_case(client, auth)
    assert listing(client, auth, listing_id)["term_ends_on"] == "2026-05-06"
    assert run_sweep(today=date(2026, 5, 5)).dishonest_terms_ended == 0
    assert run_sweep(today=date(2026, 5, 6)).dishonest_terms_ended == 1  # on the term's last day
    shown = listing(client, auth, listing_id)
    assert (shown["state"], shown["deletion_trigger"]) == ("deletion_pending", "term_ended")
    assert shown["deletion_triggered_on"] == "2026-05-06"
    assert d11(client, auth, case_id) == [("2026-05-06", "2026-05-09")]  # Sat 9 May is a make-up working day
    assert run_sweep(today=date(2026, 5, 8)).dishonest_terms_ended == 0


def test_the_judge_records_the_end_of_the_term_on_its_last_day_not_before(client, auth):
    # SPC dishonest-list rules art. 10: the end of the term is a ground for deletion once it has come.
    case_id, listing_id = listed_case(client, auth)
    url = f"/api/v1/dishonest-listings/{listing_id}/deletion-trigger"
    early = client.post(
        url, json={"trigger": "term_ended", "triggered_on": "2026-05-05"}, headers=auth("brigade1-judge")
    )
    assert early.status_code == 422 and [e["field"] for e in early.json()["errors"]] == ["triggered_on"]
    assert listing(client, auth, listing_id)["state"] == "active" and d11(client, auth, case_id) == []
    on_the_day = client.post(
        url, json={"trigger": "term_ended", "triggered_on": "2026-05-06"}, headers=auth("brigade1-judge")
    )
    assert on_the_day.status_code == 200, on_the_day.text
    assert (on_the_day.json()["state"], on_the_day.json()["deletion_trigger"]) == (
        "deletion_pending",
        "term_ended",
    )
    assert d11(client, auth, case_id) == [("2026-05-06", "2026-05-09")]
