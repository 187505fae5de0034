"""Machine and office accounts read no more than their tasks need: the filing division's service
account reads the cases it filed, as filed, not their later life; the office reads no case."""

from __future__ import annotations

import pytest

from tests.factories import case_body
from tests.factories import make_team_case
from tests.factories import resident_id

CASES = "/api/v1/cases"
HISTORY = ("timeline", "measures", "assets", "triage-decisions", "closure")


def _filed_by_bot(client, auth, serial: int = 501) -> dict:  # noqa: ANN001
    response = client.post(CASES, json=case_body(serial), headers=auth("filing-bot"))
    assert response.status_code == 201, response.text
    return response.json()


def test_the_service_account_reads_the_case_it_filed_as_filed(client, auth):
    filed = _filed_by_bot(client, auth)
    read = client.get(f"{CASES}/{filed['id']}", headers=auth("filing-bot"))
    assert read.status_code == 200, read.text
    body = read.json()
    assert body["case_number"] == filed["case_number"] and body["state"] == "filed"
    assert body["applicants"][0]["id_number"] == f"{resident_id(501)[:6]}********{resident_id(501)[-4:]}"
    assert resident_id(501) not in read.text
    assert body["assets"] == [] and body["triage"] is None and body["deadlines"] == []


@pytest.mark.parametrize("part", HISTORY)
def test_the_service_account_does_not_read_a_case_s_later_life(client, auth, part):
    filed = _filed_by_bot(client, auth)
    response = client.get(f"{CASES}/{filed['id']}/{part}", headers=auth("filing-bot"))
    assert response.status_code == 403, response.text


def test_the_service_account_sees_only_the_cases_it_filed(client, auth):
    mine = _filed_by_bot(client, auth)
    other = make_team_case(1)
    listed = client.get(CASES, headers=auth("filing-bot")).json()["items"]
    assert [c["id"] for c in listed] == [mine["id"]]
    assert client.get(f"{CASES}/{other}", headers=auth("filing-bot")).status_code == 404


def test_the_office_reads_no_case(client, auth):
    case_id = make_team_case(1)
    assert client.get(CASES, headers=auth("finance")).status_code == 403
    assert client.get(f"{CASES}/{case_id}", headers=auth("finance")).status_code == 403
    for part in HISTORY:
        assert client.get(f"{CASES}/{case_id}/{part}", headers=auth("finance")).status_code == 403
