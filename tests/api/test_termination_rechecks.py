"""终本 pool re-checks: recorded, due on the deadline board (D14), and the deletion of art. 10(4)."""

from __future__ import annotations

from datetime import date

from app.sweep import run_sweep
from tests.factories import add_measure
from tests.factories import add_termination_measures
from tests.factories import approved_listing
from tests.factories import close_as_terminated_current
from tests.factories import make_team_case

FILED = date(2025, 3, 3)
POOLED_ON = date(2025, 9, 1)


def pooled_case(client, auth, *, listed: bool = False) -> tuple[int, int | None]:
    case_id = make_team_case(1, filed_on=FILED)
    add_termination_measures(case_id, date(2025, 4, 1))
    listing_id = None
    if listed:
        add_measure(
            case_id, "consumption_ban", date(2025, 4, 1), signed_by="director", document_number="限消1"
        )
        listing_id = approved_listing(
            client,
            auth,
            case_id,
            ground="able_but_refuses",
            proposed_on=date(2025, 4, 2),
            decided_on=date(2025, 4, 10),
        )
    close_as_terminated_current(client, auth, case_id, POOLED_ON)
    return case_id, listing_id


def recheck(client, auth, case_id: int, on: str, result: str = "nothing_found", **extra: object):
    return client.post(
        f"/api/v1/cases/{case_id}/termination-pool/rechecks",
        json={"checked_on": on, "method": "network_inquiry", "result": result, **extra},
        headers=auth("brigade1-judge"),
    )


def d14(client, auth, case_id: int) -> list[tuple[str, str, str | None]]:
    deadlines = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
    return [(d["started_on"], d["due_on"], d["status"]) for d in deadlines if d["rule"] == "D14"]


def test_a_pool_case_is_due_for_a_recheck_six_months_after_entry_and_shows_on_the_board(client, auth):
    case_id, _ = pooled_case(client, auth)
    assert d14(client, auth, case_id) == [("2025-09-01", "2026-03-02", "open")]  # Sun 1 Mar 2026 -> Mon 2 Mar
    run_sweep(today=date(2026, 3, 3))
    board = client.get(
        "/api/v1/deadlines", params={"status": "breached", "rule": "D14"}, headers=auth("director")
    )
    assert board.status_code == 200, board.text
    assert [item["case_id"] for item in board.json()["items"]] == [case_id]


def test_each_recheck_is_recorded_and_starts_the_next(client, auth, user_ids):
    case_id, _ = pooled_case(client, auth)
    response = recheck(client, auth, case_id, "2026-02-26", notes="总对总查询")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["checked_on"], body["method"], body["result"]) == (
        "2026-02-26",
        "network_inquiry",
        "nothing_found",
    )
    assert body["recorded_by_id"] == user_ids["brigade1-judge"] and body["dishonest_deletion_offered"] == []
    assert d14(client, auth, case_id) == [
        ("2025-09-01", "2026-03-02", "met"),
        ("2026-02-26", "2026-08-26", "open"),
    ]
    listed = client.get(f"/api/v1/cases/{case_id}/termination-pool/rechecks", headers=auth("director")).json()
    assert [r["id"] for r in listed["items"]] == [body["id"]]
    assert recheck(client, auth, case_id, "2025-08-01").status_code == 422  # before the 终本 ruling


def test_two_empty_rechecks_in_a_row_offer_the_deletion_of_article_10_4(client, auth):
    case_id, listing_id = pooled_case(client, auth, listed=True)
    trigger = {"trigger": "pool_rechecks_empty", "triggered_on": "2026-08-25"}
    url = f"/api/v1/dishonest-listings/{listing_id}/deletion-trigger"
    assert recheck(client, auth, case_id, "2026-02-26").json()["dishonest_deletion_offered"] == []
    pending = recheck(client, auth, case_id, "2026-05-20", clue_pending=True)
    assert pending.json()["dishonest_deletion_offered"] == []
    refused = client.post(url, json=trigger, headers=auth("brigade1-judge"))
    assert refused.status_code == 409 and refused.json()["missing"] == ["pool_rechecks_empty"]
    assert recheck(client, auth, case_id, "2026-08-25").json()["dishonest_deletion_offered"] == [listing_id]
    response = client.post(url, json=trigger, headers=auth("brigade1-judge"))
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "deletion_pending"


def test_property_found_breaks_the_run(client, auth):
    case_id, listing_id = pooled_case(client, auth, listed=True)
    recheck(client, auth, case_id, "2026-02-26")
    assert (
        recheck(client, auth, case_id, "2026-05-20", "property_found").json()["dishonest_deletion_offered"]
        == []
    )
    assert recheck(client, auth, case_id, "2026-08-25").json()["dishonest_deletion_offered"] == []
