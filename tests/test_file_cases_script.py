"""The filing division's import script (scripts/file_cases.py) against the real app."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.database import session_scope
from app.models.case import Case
from app.models.case import Party
from scripts import file_cases
from tests.conftest import DEMO_PASSWORD
from tests.conftest import ROOT
from tests.factories import resident_id
from tests.factories import uscc
from tests.servers import running

LOGIN = ["--user", "filing-bot", "--password", DEMO_PASSWORD, "--no-progress"]


def _row(serial: int, **overrides: str) -> dict[str, str]:
    row = {
        "case_number": f"(2026)豫0104执{serial}号",
        "filed_on": "2026/3/2",
        "category": "civil_commercial",
        "claim_amount": f"{serial * 10},000.50" if serial < 100 else f"{serial}.50",
        "behaviour": "",
        "applicant_name": f"申请人{serial}",
        "applicant_type": "自然人",
        "applicant_id_number": resident_id(serial),
        "respondent_name": f"被执行公司{serial}",
        "respondent_type": "legal_person",
        "respondent_id_number": uscc(serial),
        "respondent_class": "enterprise",
        "clue_kind": "bank_deposit",
        "clue_description": "工商银行账户",
    }
    return row | overrides


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=file_cases.CSV_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return path


def _counts() -> tuple[int, int]:
    with session_scope(read_only=True) as session:
        return (
            session.scalar(select(func.count()).select_from(Case)),
            session.scalar(select(func.count()).select_from(Party)),
        )


def _summary(out: str) -> dict[str, int]:
    lines = dict(line.split(": ", 1) for line in out.splitlines() if line and not line.startswith(" "))
    return {k: int(v) for k, v in lines.items()}


def test_a_thousand_cases_are_filed_once_however_often_the_file_is_run(client, tmp_path, capsys):
    export = _write_csv(tmp_path / "cases.csv", [_row(n) for n in range(1, 1001)])
    assert (
        file_cases.main([str(export), *LOGIN, "--batch-size", "100", "--parallel", "3"], client=client) == 0
    )
    assert _summary(capsys.readouterr().out) == {"created": 1000, "already present": 0, "rejected": 0}
    assert _counts() == (1000, 2000)

    assert file_cases.main([str(export), *LOGIN], client=client) == 0
    assert _summary(capsys.readouterr().out) == {"created": 0, "already present": 1000, "rejected": 0}
    assert _counts() == (1000, 2000)

    # from another machine, without the progress file: the service finds every case already filed
    elsewhere = ["--progress-file", str(tmp_path / "elsewhere.progress")]
    assert file_cases.main([str(export), *LOGIN, *elsewhere], client=client) == 0
    assert _summary(capsys.readouterr().out) == {"created": 0, "already present": 1000, "rejected": 0}
    assert _counts() == (1000, 2000)

    with session_scope(read_only=True) as session:
        case = session.scalars(select(Case).where(Case.case_number == "（2026）豫0104执7号")).one()
        assert str(case.claim_amount) == "70000.50" and case.filed_on.isoformat() == "2026-03-02"


def test_bad_rows_are_rejected_with_reasons_and_the_rest_filed(client, tmp_path, capsys):
    rows = [
        _row(1),
        _row(2, applicant_id_number="410104198005171234"),
        _row(3, claim_amount="12.345"),
        _row(4, case_number="（2026）豫0104民初4号"),
        _row(5),
        _row(6, respondent_class=""),
        {name: "" for name in file_cases.CSV_COLUMNS} | {"applicant_name": "无案号"},
    ]
    export = _write_csv(tmp_path / "cases.csv", rows)
    assert file_cases.main([str(export), *LOGIN], client=client) == 1
    out = capsys.readouterr().out
    assert _summary(out) == {"created": 2, "already present": 0, "rejected": 5}
    assert "(2026)豫0104执2号 (row 3): applicants.0.id_number: resident ID: check character" in out
    assert "(2026)豫0104执3号 (row 4): claim_amount: at most two decimal places" in out
    assert "（2026）豫0104民初4号 (row 5): case_number:" in out
    assert "respondents.0.respondent_class:" in out
    assert "row 8: case_number: the cell is empty" in out
    assert _counts()[0] == 2


def test_continuation_rows_add_parties_and_clues(client, tmp_path, capsys):
    extra = {name: "" for name in file_cases.CSV_COLUMNS} | {
        "case_number": "(2026)豫0104执1号",
        "respondent_name": "连带责任人",
        "respondent_type": "natural_person",
        "respondent_id_number": resident_id(8),
        "respondent_class": "individual",
        "clue_kind": "vehicle",
        "clue_description": "豫A12345",
    }
    export = _write_csv(tmp_path / "cases.csv", [_row(1), extra])
    assert file_cases.main([str(export), *LOGIN], client=client) == 0
    capsys.readouterr()
    with session_scope(read_only=True) as session:
        roles = session.execute(select(Party.role, Party.name).order_by(Party.id)).all()
    assert [tuple(r) for r in roles] == [
        ("applicant", "申请人1"),
        ("respondent", "被执行公司1"),
        ("respondent", "连带责任人"),
    ]


def test_json_export_and_a_case_filed_elsewhere(client, auth, tmp_path, capsys):
    from tests.factories import case_body

    client.post("/api/v1/cases", json=case_body(11), headers=auth("registrar"))
    export = tmp_path / "cases.json"
    export.write_text(json.dumps([case_body(11), case_body(12), "nonsense"], ensure_ascii=False), "utf-8")
    assert file_cases.main([str(export), *LOGIN], client=client) == 1
    out = capsys.readouterr().out
    assert _summary(out) == {"created": 1, "already present": 1, "rejected": 1}
    assert "item 3: not a JSON object" in out


def test_server_errors_and_network_failures_are_retried_without_duplicates(app, tmp_path, capsys):
    """The first attempt of each case reaches the server but its answer is lost; the retry is safe."""
    from fastapi.testclient import TestClient

    inner = TestClient(app)
    calls = {"cases": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        response = inner.send(request)
        if request.url.path == file_cases.BATCH_PATH:
            calls["cases"] += 1
            if calls["cases"] % 3 == 1:
                raise httpx.ReadTimeout("answer lost", request=request)
            if calls["cases"] % 3 == 2:
                return httpx.Response(503, headers={"Retry-After": "0"}, json={"title": "busy"})
        return response

    sleeps: list[float] = []
    client = httpx.Client(transport=httpx.MockTransport(flaky), base_url="http://testserver")
    export = _write_csv(tmp_path / "cases.csv", [_row(n) for n in range(1, 6)])
    argv = [str(export), *LOGIN, "--batch-size", "2", "--parallel", "1"]
    assert file_cases.main(argv, client=client, sleep=sleeps.append) == 0
    assert _summary(capsys.readouterr().out) == {"created": 5, "already present": 0, "rejected": 0}
    assert _counts()[0] == 5
    assert len(sleeps) == 6  # three batches, each lost once and refused once before it is answered


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.csv", *LOGIN], "cannot read the export"),
        (["{csv}", "--user", "filing-bot", "--password", "wrong", "--no-progress"], "cannot log in"),
        (["{csv}", "--no-progress"], "ENFORCEMENT_FILING_USER"),
    ],
)
def test_runs_that_cannot_start_exit_2(client, tmp_path, capsys, monkeypatch, argv, message):
    monkeypatch.delenv("ENFORCEMENT_FILING_USER", raising=False)
    monkeypatch.delenv("ENFORCEMENT_FILING_PASSWORD", raising=False)
    export = _write_csv(tmp_path / "cases.csv", [_row(1)])
    argv = [a.replace("{csv}", str(export)) if a != "missing.csv" else str(tmp_path / a) for a in argv]
    assert file_cases.main(argv, client=client) == 2
    assert message in capsys.readouterr().err
    assert _counts()[0] == 0


def test_each_batch_has_its_own_key_from_its_cases():
    key = file_cases.batch_key
    assert key(b'[{"case_number":"1"}]') == key(b'[{"case_number":"1"}]')
    assert key(b'[{"case_number":"1"}]') != key(b'[{"case_number":"1","claim_amount":"2"}]')


def test_gb18030_export_from_excel_is_read(tmp_path):
    export = tmp_path / "cases.csv"
    with export.open("w", encoding="gb18030", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=file_cases.CSV_COLUMNS)
        writer.writeheader()
        writer.writerow(_row(1))
    [case] = file_cases.read_export(export)
    assert case.body["applicants"][0] == {
        "name": "申请人1",
        "party_type": "natural_person",
        "id_number": resident_id(1),
    }
    assert case.body["claim_amount"] == "10000.50" and case.body["filed_on"] == "2026-03-02"


def test_the_readme_command_files_cases_on_a_real_server(database, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "ENFORCEMENT_FILING_PASSWORD=… .venv/bin/python scripts/file_cases.py cases.csv" in readme
    export = _write_csv(tmp_path / "cases.csv", [_row(1), _row(2)])
    command = [sys.executable, "scripts/file_cases.py", str(export), "--user", "filing-bot", "--no-progress"]
    env = os.environ | {"ENFORCEMENT_FILING_PASSWORD": DEMO_PASSWORD}
    with running(database) as [server]:
        result = subprocess.run(
            [*command, "--base-url", server.url],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 0, result.stderr
    assert _summary(result.stdout) == {"created": 2, "already present": 0, "rejected": 0}
    assert _counts() == (2, 4)
    usage = subprocess.run(
        [sys.executable, "scripts/file_cases.py", "--help"], cwd=ROOT, capture_output=True, text=True
    )
    assert usage.returncode == 0 and "respondent_id_number" in usage.stdout


class _Interrupted(Exception):
    """The operator's Ctrl-C, or the machine going down, in the middle of a run."""


def _counting(app, *, stop_at_batch: int | None = None, lose_answer: bool = False):  # noqa: ANN001, ANN202
    """A client that records the case numbers of each batch sent, and stops the run at one batch:
    before it is sent, or (``lose_answer``) after the server filed it but before its answer came."""
    from fastapi.testclient import TestClient

    inner = TestClient(app)
    sent: list[list[str]] = []

    def transport(request: httpx.Request) -> httpx.Response:
        if request.url.path == file_cases.BATCH_PATH:
            if len(sent) + 1 == stop_at_batch and not lose_answer:
                raise _Interrupted
            sent.append([case["case_number"] for case in json.loads(request.content)])
            response = inner.send(request)
            if len(sent) == stop_at_batch:
                raise _Interrupted
            return response
        return inner.send(request)

    return httpx.Client(transport=httpx.MockTransport(transport), base_url="http://testserver"), sent


def test_an_interrupted_import_resumes_without_resending_what_was_filed(app, tmp_path, capsys):
    export = _write_csv(tmp_path / "cases.csv", [_row(n) for n in range(1, 26)])
    argv = [str(export), *LOGIN, "--batch-size", "10", "--parallel", "1"]
    client, sent = _counting(app, stop_at_batch=3)
    with pytest.raises(_Interrupted):
        file_cases.main(argv, client=client)
    assert _counts()[0] == 20 and [len(b) for b in sent] == [10, 10]
    progress = (tmp_path / "cases.csv.progress").read_text(encoding="utf-8").splitlines()
    assert len(progress) == 20 and progress[0] == "（2026）豫0104执1号"

    client, sent = _counting(app)
    assert file_cases.main(argv, client=client) == 0
    out = capsys.readouterr().out
    assert _summary(out) == {"created": 5, "already present": 20, "rejected": 0}
    assert "20 of them filed by an earlier run" in out
    assert sent == [[f"(2026)豫0104执{n}号" for n in range(21, 26)]]
    assert _counts() == (25, 50)


def test_a_batch_whose_answer_was_lost_in_a_crash_is_filed_once(app, tmp_path, capsys):
    export = _write_csv(tmp_path / "cases.csv", [_row(n) for n in range(1, 16)])
    argv = [str(export), *LOGIN, "--batch-size", "10", "--parallel", "1"]
    client, sent = _counting(app, stop_at_batch=1, lose_answer=True)
    with pytest.raises(_Interrupted):
        file_cases.main(argv, client=client)
    assert _counts()[0] == 10 and not (tmp_path / "cases.csv.progress").exists()

    client, sent = _counting(app)
    assert file_cases.main(argv, client=client) == 0
    # the same first batch, under the same key: its stored outcomes come back, nothing is filed twice
    assert _summary(capsys.readouterr().out) == {"created": 5, "already present": 10, "rejected": 0}
    assert [len(b) for b in sent] == [10, 5]
    assert _counts() == (15, 30)


def test_a_batch_the_server_finds_too_large_is_sent_in_halves(client, tmp_path, capsys):
    long = "账户" * 1000
    export = _write_csv(tmp_path / "cases.csv", [_row(n, clue_description=long) for n in range(1, 401)])
    argv = [str(export), *LOGIN, "--max-batch-bytes", "100000000"]
    assert file_cases.main(argv, client=client) == 0
    assert _summary(capsys.readouterr().out) == {"created": 400, "already present": 0, "rejected": 0}
    assert _counts()[0] == 400


def test_a_run_stops_when_the_service_stops_answering_and_resumes_later(app, tmp_path, capsys):
    from fastapi.testclient import TestClient

    inner = TestClient(app)
    batches = {"sent": 0}

    def down_after_two_batches(request: httpx.Request) -> httpx.Response:
        if request.url.path == file_cases.BATCH_PATH:
            batches["sent"] += 1
            if batches["sent"] > 2:
                raise httpx.ConnectError("connection refused", request=request)
        return inner.send(request)

    export = _write_csv(tmp_path / "cases.csv", [_row(n) for n in range(1, 51)])
    argv = [str(export), *LOGIN, "--batch-size", "10", "--parallel", "1", "--retries", "2"]
    down = httpx.Client(transport=httpx.MockTransport(down_after_two_batches), base_url="http://testserver")
    assert file_cases.main(argv, client=down, sleep=lambda _: None) == 1
    captured = capsys.readouterr()
    assert _summary(captured.out) == {"created": 20, "already present": 0, "rejected": 0}
    assert "stopped: the service did not answer" in captured.err
    assert batches["sent"] == 5  # the third batch, tried three times; nothing after it

    up = httpx.Client(transport=httpx.MockTransport(inner.send), base_url="http://testserver")
    assert file_cases.main(argv, client=up) == 0
    assert _summary(capsys.readouterr().out) == {"created": 30, "already present": 20, "rejected": 0}
    assert _counts() == (50, 100)
