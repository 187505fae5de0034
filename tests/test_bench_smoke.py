"""The benchmark harness works: modules import, the load generator drives a live server, and the
payloads the benchmarks send are ones the service accepts. Nothing here is timed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from sqlalchemy import create_engine

from app.rules.identifiers import validate_resident_id
from app.rules.identifiers import validate_uscc
from app.schemas.case import CaseCreate
from bench import api_overhead
from bench import bare_app
from bench import harness
from bench import scale
from bench import wrk
from bench.load import Request
from bench.load import json_request
from bench.load import percentile
from bench.load import run_load


@pytest.fixture
def bare_server(tmp_path) -> Iterator[str]:  # noqa: ANN001
    """The bare baseline app on SQLite, served by uvicorn in a thread on a loopback port."""
    url = f"sqlite:///{tmp_path}/bare.db"
    engine = create_engine(url)
    bare_app.create_schema(engine)
    engine.dispose()
    port = harness.free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            bare_app.create_bare_app(url), host="127.0.0.1", port=port, log_level="warning", access_log=False
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the bare app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def test_load_generator_drives_the_bare_app(bare_server):
    def insert(i: int) -> Request:
        return json_request("POST", "/bare/cases", api_overhead.bare_body(i + 1, api_overhead.filing_day()))

    inserted = run_load(
        bare_server,
        insert,
        total=12,
        concurrency=3,
        warmup=2,
        expected=(201,),
        time_limit_s=30,
        name="insert",
    )
    assert (inserted.completed, inserted.errors, dict(inserted.statuses)) == (12, 0, {201: 12})

    reads = [json_request("GET", f"/bare/cases/{n}") for n in (1, 2, 3, 99)]
    read = run_load(
        bare_server, reads, total=10, concurrency=2, expected=(200,), time_limit_s=30, name="read"
    )
    assert read.completed == 4  # a sequence of requests bounds the count
    assert dict(read.statuses) == {200: 3, 404: 1}
    assert read.errors == 1 and read.error_samples[0].startswith("404")
    summary = read.summary()
    assert 0 < summary["p50_ms"] <= summary["p99_ms"]


def test_load_generator_only_targets_loopback():
    with pytest.raises(ValueError, match="127.0.0.1"):
        run_load("http://example.org", [Request("GET", "/")], total=1)


def test_load_generator_counts_refused_connections_as_errors():
    result = run_load(
        f"http://127.0.0.1:{harness.free_port()}",
        lambda _i: Request("GET", "/"),
        total=3,
        concurrency=1,
        time_limit_s=10,
    )
    assert (result.completed, result.errors, result.ok) == (3, 3, 0)


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert (percentile(values, 50), percentile(values, 99), percentile(values, 100)) == (50.0, 99.0, 100.0)
    assert percentile([], 50) == 0.0


def test_generated_identifiers_carry_valid_check_characters():
    for n in (0, 1, 999, 1_000_001, 7_654_321):
        assert validate_resident_id(harness.resident_id(n)) == harness.resident_id(n)
        assert validate_uscc(harness.uscc(n)) == harness.uscc(n)
    assert len({harness.uscc(n) for n in range(2000)}) == 2000
    assert len({harness.resident_id(n) for n in range(2000)}) == 2000


def test_the_intake_payload_is_one_the_service_accepts():
    case = CaseCreate.model_validate(api_overhead.intake_body(1_000_123, api_overhead.filing_day()))
    assert case.case_number.endswith("执1000123号")


def test_benchmarks_refuse_a_database_not_named_for_them():
    with pytest.raises(SystemExit, match="bench"):
        harness.require_bench_database("postgresql+psycopg://postgres@127.0.0.1:5432/enforcement")
    with pytest.raises(SystemExit, match="PostgreSQL"):
        harness.require_bench_database("sqlite:///bench.db")


def test_scale_pages_name_each_operation_they_need():
    pages = scale.pages(10_000, {f"brigade{n}-judge2": n for n in range(1, 5)}, lambda last_id: f"c{last_id}")
    assert {page.route[1] for page in pages} >= {"/api/v1/cases", "/api/v1/cases/{case_id}"}
    assert any("cursor=c5000" in page.path for page in pages)


def test_the_bulk_export_is_read_by_the_filing_script_and_stored_by_the_bare_insert(tmp_path):
    from bench import bulk_intake
    from scripts.file_cases import read_export

    export = tmp_path / "bulk.csv"
    bulk_intake.write_export(export, 3, bulk_intake.filing_day())
    cases = list(read_export(export))
    assert [len(c.body["applicants"]) + len(c.body["respondents"]) for c in cases] == [2, 2, 2]
    for case in cases:
        CaseCreate.model_validate(case.body)
    stored = bulk_intake.bare_bulk_insert(f"sqlite:///{tmp_path}/bare.db", export)
    assert stored.cases == 3


def test_the_write_floor_sends_the_filed_rows_into_tables_with_nothing_but_their_columns():
    from sqlalchemy import MetaData
    from sqlalchemy import PrimaryKeyConstraint

    from app.models.base import Base
    from bench.write_floor import FILED_TABLES
    from bench.write_floor import _bare_copy

    metadata = MetaData()
    for name in FILED_TABLES:
        table = Base.metadata.tables[name]
        copy = _bare_copy(table, metadata)
        assert [(c.name, type(c.type)) for c in copy.c] == [(c.name, type(c.type)) for c in table.c]
        assert not copy.indexes and not copy.foreign_keys
        assert [type(c) for c in copy.constraints] == [PrimaryKeyConstraint]


@pytest.mark.skipif(not wrk.available(), reason="wrk is not installed")
def test_wrk_posts_a_new_case_with_every_request(bare_server):
    day = api_overhead.filing_day()
    body = json.dumps({**api_overhead.bare_body(0, day), "case_number": f"（{day.year}）豫0104执SERIAL号"})
    posted = wrk.wrk_post("insert", bare_server, "/bare/cases", body, {}, seconds=1, serial_base=1000)
    # a repeated case number would break the bare table's unique constraint: a 500, counted here
    assert posted.requests_per_s > 0 and posted.not_2xx == 0
    read = wrk.wrk_get("read", bare_server, "/bare/cases/1", {}, seconds=1)
    assert read.requests_per_s > 0 and read.not_2xx == 0
