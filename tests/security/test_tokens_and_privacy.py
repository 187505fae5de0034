"""Tokens that must not work, personal ID numbers that must not leak, SQL that cannot be injected.

Expired, forged, ``alg: none``, unknown-user and disabled-user tokens and the login throttle are
covered in tests/api/test_foundation.py; these are the remaining ways to misuse a token.
"""

from __future__ import annotations

import ast
import json
import os
import time
from datetime import date

import httpx
import jwt
import pytest
import structlog

from tests.conftest import ROOT
from tests.factories import case_body
from tests.factories import make_team_case
from tests.factories import resident_id
from tests.servers import running

SECRET = os.environ["ENFORCEMENT_JWT_SECRET"]


def _now() -> int:
    """Read when a token is signed: a suite longer than a token's life must not expire it early."""
    return int(time.time())


def _token(claims: dict, key: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


def _valid_claims(user_id: int) -> dict:
    now = _now()
    return {"sub": str(user_id), "iat": now, "exp": now + 600}


BAD_TOKENS = {
    "no-expiry": lambda ids: _token({"sub": str(ids["admin"]), "iat": _now()}),
    "no-subject": lambda ids: _token({"iat": _now(), "exp": _now() + 600}),
    "subject-not-a-number": lambda ids: _token({"sub": "admin", "iat": _now(), "exp": _now() + 600}),
    "not-yet-valid": lambda ids: _token(_valid_claims(ids["admin"]) | {"nbf": _now() + 3600}),
    # the right secret with another HMAC algorithm: the algorithm is pinned, not read from the token
    "other-algorithm": lambda ids: _token(_valid_claims(ids["admin"]), algorithm="HS512"),
}


@pytest.mark.parametrize("kind", sorted(BAD_TOKENS))
def test_misused_tokens_are_401(client, user_ids, kind):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {BAD_TOKENS[kind](user_ids)}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_payload_changed_after_signing_is_401(client, auth, user_ids):
    header, _, signature = auth("registrar")["Authorization"].removeprefix("Bearer ").split(".")
    forged = jwt.utils.base64url_encode(json.dumps(_valid_claims(user_ids["admin"])).encode()).decode()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {header}.{forged}.{signature}"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    "authorization", ["Basic cmVnaXN0cmFyOmRlbW8tcGFzc3dvcmQ=", "Bearer", "Bearer  ", "token"]
)
def test_other_authorization_schemes_are_401(client, authorization):
    assert client.get("/api/v1/me", headers={"Authorization": authorization}).status_code == 401


def test_only_the_subject_counts_not_a_name_claim(client, user_ids):
    token = _token(_valid_claims(user_ids["registrar"]) | {"name": "admin", "roles": ["admin"]})
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).json()["username"] == "registrar"
    assert client.get("/api/v1/audit/verify", headers=headers).status_code == 403


# Personal ID numbers (PIPL art. 28: sensitive personal information; shown only to who needs them)

APPLICANT_ID = resident_id(321, born=date(1975, 1, 2))


def _file_case(client, auth) -> int:  # noqa: ANN001
    body = case_body(321)
    body["applicants"][0]["id_number"] = APPLICANT_ID
    response = client.post("/api/v1/cases", json=body, headers=auth("registrar"))
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize(
    "username", ["director", "deputy", "registrar", "admin", "comprehensive", "brigade1-judge"]
)
def test_lists_carry_no_id_numbers(client, auth, username):
    _file_case(client, auth)
    make_team_case(1)
    response = client.get("/api/v1/cases", headers=auth(username))
    assert response.status_code == 200 and response.json()["items"]
    assert APPLICANT_ID not in response.text and "11010519491231002X" not in response.text
    assert "id_number" not in response.text


@pytest.mark.parametrize(
    ("username", "masked"),
    [
        ("director", True),
        ("deputy", True),
        ("admin", True),
        ("registrar", True),
        ("comprehensive", False),
        ("objection-judge", False),
    ],
)
def test_a_case_shows_full_id_numbers_only_to_who_needs_them(client, auth, username, masked):
    case_id = _file_case(client, auth)
    response = client.get(f"/api/v1/cases/{case_id}", headers=auth(username))
    assert response.status_code == 200
    applicant = response.json()["applicants"][0]
    assert applicant["id_number_masked"] is masked
    assert (APPLICANT_ID in response.text) is not masked
    if masked:
        assert applicant["id_number"] == f"{APPLICANT_ID[:6]}********{APPLICANT_ID[-4:]}"
    timeline = client.get(f"/api/v1/cases/{case_id}/timeline", headers=auth(username))
    assert timeline.status_code == 200 and APPLICANT_ID not in timeline.text


def test_the_handling_team_sees_the_id_numbers_of_its_case(client, auth):
    case_id = make_team_case(1)
    response = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge2"))
    assert response.json()["applicants"][0]["id_number"] == "11010519491231002X"


def test_id_numbers_never_reach_the_logs_of_a_running_server(auth, database):
    """A real server at DEBUG: intake, reading, a search and a refused intake carry the number."""
    with running(database, log_level="DEBUG") as (server,):
        with httpx.Client(base_url=server.url, timeout=30) as http:
            body = case_body(654)
            body["applicants"][0]["id_number"] = APPLICANT_ID
            created = http.post("/api/v1/cases", json=body, headers=auth("registrar"))
            assert created.status_code == 201, created.text
            case_id = created.json()["id"]
            assert http.get(f"/api/v1/cases/{case_id}", headers=auth("comprehensive")).status_code == 200
            assert (
                http.get(
                    "/api/v1/cases", params={"q": APPLICANT_ID}, headers=auth("comprehensive")
                ).status_code
                == 200
            )
            traced = auth("comprehensive", **{"X-Request-ID": APPLICANT_ID})
            search = f"/api/v1/cases?q={APPLICANT_ID}&unit={APPLICANT_ID}"
            assert http.get(search, headers=traced).status_code == 200
            bad = dict(body, case_number="（2026）豫0104执655号")
            bad["applicants"] = [
                {"name": "李四", "party_type": "natural_person", "id_number": APPLICANT_ID[:-1] + "0"}
            ]
            assert http.post("/api/v1/cases", json=bad, headers=auth("registrar")).status_code == 422
            assert http.post("/api/v1/cases", json=body, headers=auth("registrar")).status_code == 409
        output = server.output()
    assert '"event"' in output  # the server did log
    assert APPLICANT_ID not in output and APPLICANT_ID[:-1] not in output


def test_logged_errors_and_tracebacks_are_masked(app):  # noqa: ANN001
    """The app's own processor chain (app.logging), run on an error event with a traceback."""
    try:
        raise ValueError(f"duplicate key (id_number)=({APPLICANT_ID}) already exists")
    except ValueError as exc:
        event: object = {
            "event": "unhandled_error",
            "party": APPLICANT_ID,
            "note": f"请核对 {APPLICANT_ID}",
            "exc_info": (type(exc), exc, exc.__traceback__),
        }
    for processor in structlog.get_config()["processors"]:
        event = processor(None, "error", event)
    assert isinstance(event, str) and "duplicate key" in event and "Traceback" in event
    assert APPLICANT_ID not in event and f"{APPLICANT_ID[:6]}********{APPLICANT_ID[-1]}" in event


def test_logged_first_generation_id_numbers_are_masked(app):  # noqa: ANN001
    event: object = {"event": "intake", "note": "被执行人 410102850612123 未到庭"}
    for processor in structlog.get_config()["processors"]:
        event = processor(None, "info", event)
    assert isinstance(event, str) and "410102850612123" not in event and "410102******3" in event


# SQL is built by the ORM or with bound parameters

# Constant SQL that interpolates nothing a caller controls.
RAW_SQL_ALLOWED = {
    ("app/database.py", "PRAGMA busy_timeout"),  # int() of a setting
}
_RAW_SQL_CALLS = {"text", "exec_driver_sql", "literal_column", "execute", "executescript", "executemany"}


def _raw_sql_calls(source: str) -> list[tuple[int, str]]:
    """Calls that take SQL text whose first argument is built at run time (f-string, %, +, format)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in _RAW_SQL_CALLS:
            continue
        arg = node.args[0]
        built = isinstance(arg, ast.JoinedStr | ast.BinOp) or (
            isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format"
        )
        if built:
            found.append((node.lineno, ast.unparse(arg)))
    return sorted(found)


def test_no_sql_is_built_from_strings_at_run_time():
    offenders = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        relative = str(path.relative_to(ROOT))
        for line, sql in _raw_sql_calls(path.read_text()):
            if not any(relative == file and marker in sql for file, marker in RAW_SQL_ALLOWED):
                offenders.append(f"{relative}:{line}: {sql}")
    assert offenders == []


def test_the_sql_scan_finds_interpolation():
    source = 'session.execute(text(f"SELECT * FROM case WHERE q = {q}"))\nconn.exec_driver_sql("X %s" % q)\n'
    assert [line for line, _ in _raw_sql_calls(source)] == [1, 2]


INJECTIONS = [
    "' OR '1'='1",
    "1' OR 1=1 --",
    '\'; DROP TABLE "case"; --',
    "%",
    "_",
    "\\",
    "%' --",
    "\x00",
    '\' UNION SELECT password_hash FROM "user" --',
    "１' ＯＲ '１'='１",
]


@pytest.mark.parametrize("q", INJECTIONS)
def test_injection_shaped_searches_find_nothing_and_break_nothing(client, auth, q):
    make_team_case(1)
    response = client.get("/api/v1/cases", params={"q": q}, headers=auth("comprehensive"))
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["items"] == []
    assert client.get("/api/v1/cases", headers=auth("comprehensive")).json()["items"]  # nothing dropped


@pytest.mark.parametrize("value", ["1 OR 1=1", "1;DROP TABLE case", "1'", "-1", "0x1", "1e3", "９", "%00"])
def test_injection_shaped_path_ids_are_422_or_404(client, auth, value):
    make_team_case(1)
    for path in (
        f"/api/v1/cases/{value}",
        f"/api/v1/objections/{value}",
        f"/api/v1/petitions/{value}",
        f"/api/v1/dishonest-listings/{value}",
        f"/api/v1/calendar/{value}",
    ):
        response = client.get(path, headers=auth("comprehensive"))
        assert response.status_code in (404, 422), (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")


def test_injection_shaped_filters_are_refused_or_ignored(client, auth):
    make_team_case(1)
    for params in (
        {"state": "filed' OR '1'='1"},
        {"unit": "brigade-1' OR '1'='1"},
        {"cursor": "' OR 1=1 --"},
        {"filed_from": "2026-01-01' OR '1'='1"},
        {"handler_id": "1 OR 1=1"},
    ):
        response = client.get("/api/v1/cases", params=params, headers=auth("comprehensive"))
        assert response.status_code in (200, 422), (params, response.text)
        if response.status_code == 200:
            assert response.json()["items"] == [], params
