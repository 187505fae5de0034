"""Bulk intake (POST /cases/batch): each case of a batch is filed, found already filed or refused on
its own, exactly as POST /cases would, and the answer lists them in request order (issue 17)."""

from __future__ import annotations

from sqlalchemy import func
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.models.case import Party
from app.models.case import PropertyClue
from app.models.deadline import Deadline
from app.settings import get_settings
from tests.factories import case_body
from tests.factories import resident_id
from tests.helpers import fields
from tests.helpers import ok

URL = "/api/v1/cases/batch"


def _counts() -> dict[str, int]:
    with session_scope(read_only=True) as session:
        return {
            model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Case, Party, PropertyClue, Deadline, AuditEntry)
        }


def _number(serial: int) -> str:
    return f"（2026）豫0104执{serial}号"


def test_a_mixed_batch_reports_each_case_in_order_and_files_only_the_valid_new_ones(client, auth):
    earlier = ok(client.post("/api/v1/cases", json=case_body(2), headers=auth("registrar")), 201)
    bad_id = case_body(3)
    bad_id["applicants"][0]["id_number"] = "410104198005171234"
    batch = [
        case_body(1),
        case_body(2),  # filed before the batch
        bad_id,
        case_body(4, claim_amount=None),  # neither a claim nor a behaviour
        case_body(1, claim_amount="1.00"),  # repeats the batch's first case
        "not a case",
        case_body(5),
    ]
    result = ok(client.post(URL, json=batch, headers=auth("filing-bot")))

    assert (result["created"], result["already_filed"], result["invalid"]) == (2, 2, 3)
    items = result["items"]
    assert [i["index"] for i in items] == list(range(7))
    assert [i["outcome"] for i in items] == [
        "created",
        "already_filed",
        "invalid",
        "invalid",
        "already_filed",
        "invalid",
        "created",
    ]
    assert items[1]["id"] == earlier["id"] and items[1]["case_number"] == _number(2)
    assert items[4]["id"] == items[0]["id"]
    assert [e["field"] for e in items[2]["errors"]] == ["applicants.0.id_number"]
    assert "check character" in items[2]["errors"][0]["message"]
    assert items[2]["case_number"] == _number(3)
    assert [e["field"] for e in items[3]["errors"]] == ["claim_amount"]
    assert [e["field"] for e in items[5]["errors"]] == ["body"]
    assert items[2]["id"] is None and items[5]["case_number"] is None

    with session_scope(read_only=True) as session:
        numbers = set(session.scalars(select(Case.case_number)))
    assert numbers == {_number(1), _number(2), _number(5)}


def test_a_batch_case_reads_as_the_same_case_filed_alone(client, auth):
    alone = ok(client.post("/api/v1/cases", json=case_body(7), headers=auth("filing-bot")), 201)
    [item] = ok(client.post(URL, json=[case_body(8)], headers=auth("filing-bot")))["items"]
    batched = ok(client.get(f"/api/v1/cases/{item['id']}", headers=auth("comprehensive")))
    alone = ok(client.get(f"/api/v1/cases/{alone['id']}", headers=auth("comprehensive")))

    def without_identity(case: dict) -> dict:
        skip = {"id", "case_number", "account_reference", "created_at", "updated_at"}
        lists = {"parties", "applicants", "respondents", "property_clues", "deadlines"}
        return {k: v for k, v in case.items() if k not in skip | lists} | {
            "deadlines": [(d["rule"], d["due_on"], d["status"]) for d in case["deadlines"]],
            "parties": [(p["role"], p["name"], p["party_type"]) for p in case["parties"]],
            "property_clues": [(c["kind"], c["description"]) for c in case["property_clues"]],
        }

    assert batched["applicants"][0]["id_number"] == resident_id(8)
    assert without_identity(batched) == without_identity(alone)
    assert {d["rule"] for d in batched["deadlines"]} >= {"D1"}

    timeline = ok(client.get(f"/api/v1/cases/{item['id']}/timeline", headers=auth("director")))
    actions = [entry["action"] for entry in timeline["items"]]
    assert actions[0] == "case.filed" and actions.count("deadline.start") == len(batched["deadlines"])
    assert ok(client.get("/api/v1/audit/verify", headers=auth("admin")))["ok"] is True


def test_a_retried_batch_with_the_same_key_files_nothing_twice(client, auth):
    batch = [case_body(n) for n in (11, 12, 13)]
    headers = auth("filing-bot", **{"Idempotency-Key": "nightly-2026-03-02"})
    first = client.post(URL, json=batch, headers=headers)
    counts = _counts()
    again = client.post(URL, json=batch, headers=headers)

    assert again.status_code == first.status_code == 200
    assert again.json() == first.json() and first.json()["created"] == 3
    assert again.headers["idempotent-replayed"] == "true"
    assert _counts() == counts and counts["Case"] == 3

    # the same key for other cases is a mistake of the caller's, not a new batch
    other = client.post(URL, json=[case_body(14)], headers=headers)
    assert other.status_code == 409 and other.json()["type"] == "/problems/idempotency-key-reused"
    # without a key, a repeat finds the cases already filed
    repeat = ok(client.post(URL, json=batch, headers=auth("filing-bot")))
    assert repeat["already_filed"] == 3 and _counts() == counts


def test_a_batch_over_the_case_limit_is_refused_whole(client, auth):
    batch = [case_body(n) for n in range(1, 1002)]
    response = client.post(URL, json=batch, headers=auth("filing-bot"))
    assert fields(response) == {"body"}
    assert _counts()["Case"] == 0


def test_a_batch_over_the_body_limit_is_413_and_files_nothing(client, auth):
    clue = [{"kind": "bank_deposit", "description": "账" * 2000}]
    batch = [case_body(n, property_clues=clue) for n in range(1, 200)]
    response = client.post(URL, json=batch, headers=auth("filing-bot"))
    assert response.status_code == 413, response.text
    assert f"{get_settings().max_body_bytes} bytes" in response.json()["detail"]
    assert _counts()["Case"] == 0


def test_a_batch_of_invalid_cases_only_files_nothing(client, auth):
    result = ok(
        client.post(URL, json=[None, {}, case_body(1, filed_on="2099-01-01")], headers=auth("filing-bot"))
    )
    assert (result["created"], result["already_filed"], result["invalid"]) == (0, 0, 3)
    assert [e["field"] for e in result["items"][0]["errors"]] == ["body"]
    assert "filed_on" in {e["field"] for e in result["items"][2]["errors"]}
    assert _counts()["Case"] == 0


def test_an_empty_batch_or_one_that_is_not_a_list_is_422(client, auth):
    assert fields(client.post(URL, json=[], headers=auth("filing-bot"))) == {"body"}
    assert fields(client.post(URL, json=case_body(1), headers=auth("filing-bot"))) == {"body"}


def test_only_the_filing_division_files_batches(client, auth):
    for username in ("comprehensive", "brigade1-judge", "admin"):
        assert client.post(URL, json=[case_body(1)], headers=auth(username)).status_code == 403
    assert client.post(URL, json=[case_body(1)]).status_code == 401
    assert _counts()["Case"] == 0
