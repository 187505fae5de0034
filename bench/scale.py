"""List and filter pages as the court's history grows: the same pages timed at each size.

    python -m bench.scale --database-url postgresql+psycopg://postgres@127.0.0.1:5432/enf_bench_scale \\
        [--sizes 10000,100000,1000000 --samples 40]

Empties the database, builds the schema (as bench.api_overhead does), seeds the organisation, then
for each size (cumulatively) generates cases with ``INSERT … SELECT generate_series`` — two parties
each, and, when the deadline tables exist, the filing event and two clocks (D1, D3) per case —
runs ANALYZE, starts the service (uvicorn, 1 worker, log level WARNING) and times each page
sequentially over loopback HTTP: ``samples`` requests after a few warm-up ones, p50/p95 per page.
Pages whose route the service does not have (the deadline board, the statistics overview) are
skipped and said so. A size whose generation would take more than ``--max-generate-minutes``
(extrapolated from the previous size) is skipped with the reason. Appends to bench/RESULTS.md.

Generated data: case ids in filing order; filing dates spread over 2016–2025 (the case number's
year is the filing year); 1 % filed, 2 % registered, 3 % triaged, 15 % in progress, 4 % at
disposal, 75 % closed (20 to 739 days after filing); one fifth each with the fast group and brigades
1–4, two judges per brigade; a clock past its due date and not met (D1 of a case never registered,
D3 of an open case) is breached, as the sweep leaves it. The generator skips the triggers that keep
the statistics' roll-ups (app.models.rollup), then counts them once (as ``python -m app.rollups
rebuild`` does).
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

import httpx
from sqlalchemy import Connection
from sqlalchemy import create_engine
from sqlalchemy import text

from app.models.rollup import rebuild_statements
from bench import harness
from bench.load import LoadResult
from bench.load import Request
from bench.load import json_request
from bench.load import run_load

BATCH = 100_000
WARMUP = 5
REFERENCE_P95_MS = 100.0  # issue 4: one page of the board in under 100 ms at the 95th percentile
CATEGORIES = [
    "civil_commercial",
    "civil_commercial",
    "civil_commercial",
    "credit_card",
    "litigation_fee",
    "criminal_property",
    "administrative_nonlitigation",
    "notarized_debt",
    "arbitral_award",
    "child_support",
    "other",
]

# State by g % 100: the shares of a court with ten years of history.
_STATE = """CASE WHEN g % 100 < 1 THEN 'filed' WHEN g % 100 < 3 THEN 'registered'
    WHEN g % 100 < 6 THEN 'triaged' WHEN g % 100 < 21 THEN 'in_progress'
    WHEN g % 100 < 25 THEN 'at_disposal' ELSE 'closed' END"""
_ALLOCATED = "g % 100 >= 3"
_FILED_ON = "(DATE '2016-01-04' + ((g * 7) % 3640))"
_UNIT = "(CAST(:units AS text[]))[1 + g % 5]"
_HANDLER = "(CAST(:handlers AS int[]))[1 + (g % 5) * 2 + (g / 5) % 2]"

CASE_COLUMNS: dict[str, str] = {
    "id": "g",
    "case_number": f"'（' || extract(year FROM {_FILED_ON})::int || '）豫0104执' || g || '号'",
    "case_year": f"extract(year FROM {_FILED_ON})::int",
    "court_code": "'豫0104'",
    "type_code": "'执'",
    "serial": "g",
    "filed_on": _FILED_ON,
    "category": "(CAST(:categories AS text[]))[1 + g % 11]",
    "claim_amount": "((g * 37) % 500000 + 1000)::numeric(18, 2)",
    "paid_amount": "0",
    "behaviour": "NULL",
    "state": _STATE,
    "track": f"CASE WHEN {_ALLOCATED} THEN CASE WHEN g % 5 = 0 THEN 'simple' ELSE 'ordinary' END END",
    "unit_code": f"CASE WHEN {_ALLOCATED} THEN {_UNIT} END",
    "handler_id": f"CASE WHEN {_ALLOCATED} THEN {_HANDLER} END",
    "registered_at": f"CASE WHEN g % 100 >= 1 THEN ({_FILED_ON} + 1)::timestamptz END",
    "investigation_completed": "g % 100 >= 3",
    "willing_to_perform": "false",
    "settlement_likely": "false",
    "closure_mode": "CASE WHEN g % 100 >= 25 THEN CASE WHEN g % 3 = 0 THEN 'terminated_current' "
    "ELSE 'performed' END END",
    # Closed 20 to 739 days after filing: the median's histogram holds as many rows as a real court's.
    "closed_on": f"CASE WHEN g % 100 >= 25 THEN {_FILED_ON} + 20 + (g * 13) % 720 END",
    "origin_case_id": "NULL",
    "created_by_id": ":created_by",
    "created_at": f"{_FILED_ON}::timestamptz",
    "updated_at": f"{_FILED_ON}::timestamptz",
    "version": "1",
}

PARTY_COLUMNS: dict[str, str] = {
    "case_id": "g",
    "role": "r.role",
    "name": "CASE WHEN r.role = 'applicant' THEN '申请人' || g ELSE '被执行人' || g END",
    "party_type": "CASE WHEN r.role = 'applicant' THEN 'natural_person' ELSE 'legal_person' END",
    "id_number": "NULL",
    "respondent_class": "CASE WHEN r.role = 'respondent' THEN 'enterprise' END",
}

EVENT_COLUMNS: dict[str, str] = {
    "id": "g",
    "case_id": "g",
    "event": "'case.filed'",
    "occurred_on": _FILED_ON,
    "subject_type": "'case'",
    "subject_id": "g",
    "params": "'{}'",
    "recorded_by_id": ":created_by",
    "recorded_at": f"{_FILED_ON}::timestamptz",
}

_D3_DUE = f"({_FILED_ON} + interval '6 months')::date"

# D1 (register within a working day: met, or breached while still filed) and D3 (close within 6
# months: met when closed, otherwise open, or breached once past due).
DEADLINE_COLUMNS: dict[str, str] = {
    "rule": "d.rule",
    "case_id": "g",
    "subject_type": "'case'",
    "subject_id": "g",
    "seq": "0",
    "start_event_id": "g",
    "started_on": _FILED_ON,
    "due_on": f"CASE WHEN d.rule = 'D1' THEN {_FILED_ON} + 1 "
    f"ELSE ({_FILED_ON} + interval '6 months')::date END",
    # Past due and open is breached, as the sweep (every 15 minutes) leaves it.
    "status": "CASE WHEN d.rule = 'D1' THEN CASE WHEN g % 100 < 1 THEN 'breached' ELSE 'met' END "
    f"WHEN g % 100 >= 25 THEN 'met' WHEN g % 7 = 0 OR {_D3_DUE} < CURRENT_DATE THEN 'breached' "
    "ELSE 'open' END",
    "provisional": "false",
    "met_on": f"CASE WHEN d.rule = 'D1' AND g % 100 >= 1 THEN {_FILED_ON} + 1 "
    f"WHEN d.rule = 'D3' AND g % 100 >= 25 THEN {_FILED_ON} + 120 END",
    "met_late": "false",
    "paused_since": "NULL",
    "paused_days": "0",
    "extension_months": "0",
    "breached_at": f"CASE WHEN d.rule = 'D3' AND g % 100 < 25 AND (g % 7 = 0 OR {_D3_DUE} < CURRENT_DATE) "
    f"THEN {_D3_DUE}::timestamptz WHEN d.rule = 'D1' AND g % 100 < 1 THEN ({_FILED_ON} + 2)::timestamptz END",
    "unit_code": f"CASE WHEN {_ALLOCATED} THEN {_UNIT} END",
    "handler_id": f"CASE WHEN {_ALLOCATED} THEN {_HANDLER} END",
    "case_number": CASE_COLUMNS["case_number"],
    "created_at": f"{_FILED_ON}::timestamptz",
    "updated_at": f"{_FILED_ON}::timestamptz",
}


# --- generation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TablePlan:
    table: str
    columns: dict[str, str]  # only the columns the table has
    source: str  # FROM clause after generate_series


def _table_columns(conn: Connection, table: str) -> dict[str, tuple[bool, bool]]:
    """Column name → (nullable, has a server default) of a table; empty when it does not exist."""
    rows = conn.execute(
        text(
            "SELECT column_name, is_nullable = 'YES', column_default IS NOT NULL "
            "FROM information_schema.columns "
            "WHERE table_schema = 'public' AND table_name = :t"
        ),
        {"t": table},
    )
    return {name: (nullable, has_default) for name, nullable, has_default in rows}


def plan_table(conn: Connection, table: str, columns: dict[str, str], source: str) -> TablePlan | str:
    """What to insert into ``table``, or why it cannot be generated (a required column unknown here)."""
    actual = _table_columns(conn, table)
    if not actual:
        return f"table {table} does not exist"
    unknown = [
        name
        for name, (nullable, has_default) in actual.items()
        if name not in columns and not nullable and not has_default
    ]
    if unknown:
        return f"table {table} has required columns this generator does not know: {', '.join(unknown)}"
    return TablePlan(table, {k: v for k, v in columns.items() if k in actual}, source)


def insert_range(conn: Connection, plan: TablePlan, lo: int, hi: int, params: dict[str, object]) -> None:
    names = ", ".join(f'"{name}"' for name in plan.columns)
    values = ", ".join(plan.columns.values())
    series = "generate_series(CAST(:lo AS int), CAST(:hi AS int))"
    conn.execute(
        text(
            f'INSERT INTO "{plan.table}" ({names}) SELECT {values} '  # noqa: S608 - fixed text
            f"FROM {series} AS g {plan.source}"
        ),
        {**params, "lo": lo, "hi": hi},
    )


def generation_params(user_ids: dict[str, int]) -> dict[str, object]:
    units = ["fast", "brigade-1", "brigade-2", "brigade-3", "brigade-4"]
    handlers = [user_ids["fast-judge"], user_ids["fast-judge"]]
    for n in range(1, 5):
        handlers += [user_ids[f"brigade{n}-judge"], user_ids[f"brigade{n}-judge2"]]
    return {
        "units": units,
        "handlers": handlers,
        "categories": CATEGORIES,
        "created_by": user_ids["filing-bot"],
    }


def plans(conn: Connection) -> tuple[list[TablePlan], list[str]]:
    """Tables to fill and notes on the ones left out."""
    notes: list[str] = []
    case = plan_table(conn, "case", CASE_COLUMNS, "")
    party = plan_table(
        conn, "party", PARTY_COLUMNS, "CROSS JOIN (VALUES ('applicant'), ('respondent')) AS r(role)"
    )
    if isinstance(case, str) or isinstance(party, str):
        raise SystemExit(f"cannot generate cases: {case if isinstance(case, str) else party}")
    result = [case, party]
    event = plan_table(conn, "deadline_event", EVENT_COLUMNS, "")
    deadline = plan_table(conn, "deadline", DEADLINE_COLUMNS, "CROSS JOIN (VALUES ('D1'), ('D3')) AS d(rule)")
    if isinstance(event, TablePlan) and isinstance(deadline, TablePlan):
        result += [event, deadline]
    else:
        notes.append(f"no deadlines generated: {event if isinstance(event, str) else deadline}")
    return result, notes


def generate(url: str, plans_: list[TablePlan], params: dict[str, object], lo: int, hi: int) -> float:
    """Insert ids lo..hi into every planned table in batches; returns the seconds it took."""
    engine = create_engine(url)
    started = time.perf_counter()
    try:
        for start in range(lo, hi + 1, BATCH):
            end = min(hi, start + BATCH - 1)
            with engine.begin() as conn:
                # Generated rows are consistent by construction: skip the per-row foreign-key triggers.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for plan in plans_:
                    insert_range(conn, plan, start, end, params)
            print(f"  generated cases {start:,}–{end:,} ({time.perf_counter() - started:.0f} s)", flush=True)
        rollups = time.perf_counter()
        with engine.begin() as conn:
            # The triggers that keep the statistics' roll-ups were skipped with the others: count them.
            for statement in rebuild_statements("postgresql"):
                conn.execute(text(statement))
        print(f"  counted the roll-ups ({time.perf_counter() - rollups:.0f} s)", flush=True)
        with engine.begin() as conn:
            for plan in plans_:
                if "id" in plan.columns:  # explicit ids: move the sequence past them
                    sequence = conn.execute(
                        text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": f'"{plan.table}"'}
                    ).scalar_one()
                    conn.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": hi})
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


# --- pages ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str
    route: tuple[str, str]  # the operation that must exist, else the page is skipped


def pages(size: int, user_ids: dict[str, int], encode_cursor: Callable[[int], str]) -> list[Page]:
    cases = ("GET", "/api/v1/cases")
    stats = ("GET", "/api/v1/stats/overview")
    deep = encode_cursor(size // 2)
    year = 2021
    return [
        Page("cases: first page", "/api/v1/cases", "director", cases),
        Page("cases: a page from the middle (cursor)", f"/api/v1/cases?cursor={deep}", "director", cases),
        Page(
            "cases: state + unit filter", "/api/v1/cases?state=in_progress&unit=brigade-2", "director", cases
        ),
        Page(
            "cases: handler filter",
            f"/api/v1/cases?handler_id={user_ids['brigade3-judge2']}",
            "director",
            cases,
        ),
        Page("cases: a brigade's own open cases", "/api/v1/cases?state=in_progress", "brigade1-judge", cases),
        Page("cases: overdue filter", "/api/v1/cases?overdue=true", "comprehensive", cases),
        Page(
            "cases: q = case-number prefix",
            f"/api/v1/cases?q={quote(f'（{year}）豫0104执12')}",
            "director",
            cases,
        ),
        Page(
            "cases: q = one whole case number",
            f"/api/v1/cases?q={quote(f'（{year}）豫0104执{_serial_in(size, year)}号')}",
            "director",
            cases,
        ),
        Page("case by id", f"/api/v1/cases/{size // 3}", "director", ("GET", "/api/v1/cases/{case_id}")),
        Page(
            "deadline board: overdue",
            "/api/v1/deadlines?status=overdue",
            "comprehensive",
            ("GET", "/api/v1/deadlines"),
        ),
        Page(
            "deadline board: a brigade's due soon",
            "/api/v1/deadlines?status=due_soon&unit=brigade-2",
            "comprehensive",
            ("GET", "/api/v1/deadlines"),
        ),
        Page("stats overview: all time", "/api/v1/stats/overview", "director", stats),
        Page(
            "stats overview: one year",
            "/api/v1/stats/overview?filed_from=2024-01-01&filed_to=2024-12-31",
            "director",
            stats,
        ),
        Page("stats overview: one unit", "/api/v1/stats/overview?unit=brigade-2", "director", stats),
        Page(
            "stats overview: a period of odd days",
            "/api/v1/stats/overview?filed_from=2023-03-17&filed_to=2024-08-09",
            "director",
            stats,
        ),
        Page("stats trends: 24 months", "/api/v1/stats/trends", "director", ("GET", "/api/v1/stats/trends")),
        Page(
            "stats trends: one unit",
            "/api/v1/stats/trends?unit=brigade-2",
            "director",
            ("GET", "/api/v1/stats/trends"),
        ),
        Page("stats workload", "/api/v1/stats/workload", "director", ("GET", "/api/v1/stats/workload")),
        Page(
            "stats deadlines due soon / overdue",
            "/api/v1/stats/deadlines",
            "director",
            ("GET", "/api/v1/stats/deadlines"),
        ),
    ]


def _serial_in(size: int, year: int) -> int:
    """A case id (= its serial) in the middle third of the data whose generated filing year is ``year``."""
    return next((g for g in range(size // 3, size + 1) if _filing_year(g) == year), size // 3)


def _filing_year(g: int) -> int:
    """The year of ``_FILED_ON`` for case id ``g``."""
    return (dt.date(2016, 1, 4) + dt.timedelta(days=(g * 7) % 3640)).year


def time_pages(server: harness.Server, page_list: list[Page], samples: int) -> dict[str, LoadResult | str]:
    routes = {
        (method.upper(), path)
        for path, ops in httpx.get(f"{server.base_url}/api/v1/openapi.json", timeout=30)
        .json()["paths"]
        .items()
        for method in ops
    }
    tokens: dict[str, dict[str, str]] = {}
    results: dict[str, LoadResult | str] = {}
    for page in page_list:
        if page.route not in routes:
            results[page.name] = f"skipped: the service has no {page.route[0]} {page.route[1]}"
            continue
        if page.user not in tokens:
            tokens[page.user] = harness.login(server.base_url, page.user)
        request: Request = json_request("GET", page.path, headers=tokens[page.user])
        results[page.name] = run_load(
            server.base_url,
            lambda _i, r=request: r,
            total=samples,
            concurrency=1,
            warmup=WARMUP,
            time_limit_s=120.0,
            expected=(200,),
            name=page.name,
        )
    return results


# --- report ---------------------------------------------------------------------------------------------


def report(
    args: argparse.Namespace,
    measured: dict[int, dict[str, LoadResult | str]],
    generation: dict[int, float],
    skipped: dict[int, str],
    notes: list[str],
    schema_note: str,
    machine: dict[str, str],
) -> str:
    sizes = list(measured)
    header = "| page | " + " | ".join(f"{s:,} cases p50 / p95 ms" for s in sizes) + " |"
    rows = [header, "|---" * (len(sizes) + 1) + "|"]
    names = list(dict.fromkeys(name for per in measured.values() for name in per))
    findings = []
    for name in names:
        cells = []
        for size in sizes:
            result = measured[size].get(name)
            if isinstance(result, LoadResult):
                s = result.summary()
                flag = "" if result.errors == 0 else f" ({result.errors} errors)"
                cells.append(f"{s['p50_ms']} / {s['p95_ms']}{flag}")
            else:
                cells.append(result or "–")
        rows.append(f"| {name} | " + " | ".join(cells) + " |")
        timed = [
            (size, result)
            for size in sizes
            if isinstance(result := measured[size].get(name), LoadResult) and not result.errors
        ]
        if timed:
            size, last = timed[-1]
            p95 = last.percentile(95)
            growth = p95 / timed[0][1].percentile(95) if timed[0][1].percentile(95) else 0.0
            verdict = "under" if p95 < REFERENCE_P95_MS else "OVER"
            findings.append(
                f"- {name}: p95 {p95:.1f} ms at {size:,} ({verdict} {REFERENCE_P95_MS:.0f} ms); "
                f"× {growth:.1f} from {timed[0][0]:,}"
            )
        errors = [
            sample
            for size in sizes
            if isinstance(r := measured[size].get(name), LoadResult)
            for sample in r.error_samples
        ]
        if errors:
            findings.append(f"- {name}: ERRORS, e.g. {errors[0][:200]}")
    generated = ", ".join(f"{size:,}: {seconds:.0f} s" for size, seconds in generation.items())
    return "\n".join(
        [
            *harness.section_head("List and filter pages at scale", machine),
            "Setup: the service alone (uvicorn, 1 worker, log level WARNING, production settings) on the "
            f"same PostgreSQL; each page requested {args.samples} times one after another over loopback "
            f"after {WARMUP} warm-up requests; pages of 50 (the default). Schema: {schema_note}. "
            "Data generated with "
            f"INSERT … SELECT generate_series (cumulative time to reach each size: {generated}), "
            "then VACUUM ANALYZE." + "".join(f" {note}." for note in notes),
            "",
            *rows,
            "",
            f"Against the reference of {REFERENCE_P95_MS:.0f} ms p95 (the board target of issue 4), at the "
            "largest size measured, and the growth of p95 from the smallest:",
            *findings,
            *[f"- {size:,} cases not measured: {reason}" for size, reason in skipped.items()],
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        required=True,
        help="PostgreSQL database to wipe and use; its name must contain 'bench'",
    )
    parser.add_argument("--sizes", default="10000,100000,1000000", help="case counts, ascending")
    parser.add_argument("--samples", type=int, default=40, help="timed requests per page")
    parser.add_argument(
        "--max-generate-minutes",
        type=float,
        default=10.0,
        help="skip a size whose generation would take longer (extrapolated)",
    )
    harness.add_quiet_arguments(parser)
    parser.add_argument(
        "--no-results",
        dest="write_results",
        action="store_false",
        help="print only; do not append to bench/RESULTS.md",
    )
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the cases an earlier run generated in the database and time the sizes it holds "
        "(a run cut short after generating)",
    )
    args = parser.parse_args()
    harness.require_bench_database(args.database_url)
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(","))

    from app.models.case import Case
    from app.services.paging import Keyset

    case_list = Keyset((Case.id,), descending=True)  # the cursor GET /cases issues

    def encode_cursor(last_id: int) -> str:
        return case_list.encode([last_id])

    print("preparing the database …", flush=True)
    if args.reuse_data:
        schema_note = "kept from an earlier run of this command (alembic upgrade head)"
    else:
        schema_note = harness.fresh_schema(args.database_url)
    print(f"schema: {schema_note}")
    user_ids = harness.seed_organisation(args.database_url)
    machine = harness.machine_description(args.database_url)
    engine = create_engine(args.database_url)
    try:
        with engine.connect() as conn:
            table_plans, notes = plans(conn)
    finally:
        engine.dispose()
    for note in notes:
        print(note)
    params = generation_params(user_ids)
    jwt_secret = harness.new_jwt_secret()
    measured: dict[int, dict[str, LoadResult | str]] = {}
    generation: dict[int, float] = {}
    skipped: dict[int, str] = {}
    quiet: dict[int, str] = {}
    have, seconds_per_case = 0, 0.0
    if args.reuse_data:
        engine = create_engine(args.database_url)
        with engine.connect() as conn:
            have = conn.execute(text('SELECT count(*) FROM "case"')).scalar_one()
        engine.dispose()
        sizes = [size for size in sizes if size == have]
        if not sizes:
            raise SystemExit(f"--reuse-data: the database holds {have:,} cases, none of the sizes asked for")
        notes.append(f"{have:,} cases reused from an earlier run (its generation time not measured)")
    for size in sizes:
        needed = size - have
        estimate_min = needed * seconds_per_case / 60
        if seconds_per_case and estimate_min > args.max_generate_minutes:
            skipped[size] = (
                f"generating {needed:,} more cases would take about {estimate_min:.0f} min at "
                f"the rate measured so far (limit {args.max_generate_minutes:.0f} min)"
            )
            print(skipped[size])
            continue
        print(f"{'reusing' if args.reuse_data else 'generating up to'} {size:,} cases …", flush=True)
        took = 0.0 if args.reuse_data else generate(args.database_url, table_plans, params, have + 1, size)
        generation[size] = sum(generation.values()) + took
        seconds_per_case = took / needed if needed else 0.0
        have = size
        with harness.Server(
            f"scale-{size}", "app.serve", database_url=args.database_url, jwt_secret=jwt_secret
        ) as server:
            quiet[size] = harness.wait_for_quiet_machine(args.quiet_load, args.quiet_wait)
            measured[size] = time_pages(server, pages(size, user_ids, encode_cursor), args.samples)
        for name, result in measured[size].items():
            print(
                f"  {size:,}: {result.line() if isinstance(result, LoadResult) else f'{name}: {result}'}",
                flush=True,
            )
            for sample in result.error_samples if isinstance(result, LoadResult) else []:
                print(f"    error: {sample}")
    machine["machine state when each size was timed"] = "; ".join(
        f"{size:,}: {note}" for size, note in quiet.items()
    )
    section = report(args, measured, generation, skipped, notes, schema_note, machine)
    print()
    print(section)
    if args.write_results:
        harness.append_results(section)
        print(f"\nappended to {harness.RESULTS}")


if __name__ == "__main__":
    main()
