"""One page of the early-warning board (期限预警) with a million deadlines in PostgreSQL.

    python -m bench.deadline_board --database-url postgresql+psycopg://postgres@127.0.0.1:5432/enf_bench \\
        [--rows 1000000 --requests 400]

Empties the database, builds the schema, seeds the organisation, then generates ``rows`` deadlines
(four clocks D1–D4 per case, so rows / 4 cases, with their filing events) by ``INSERT … SELECT
generate_series`` and runs ANALYZE. It then times ``app.services.deadline_board.deadline_board`` — the
function behind ``GET /api/v1/deadlines`` — one page of 50 per request, in a read-only session of
its own as a request gets, over a mix of callers (command center, leadership, brigade judges),
units, statuses (overdue, due soon, a plain state), rules and cursors (first pages, following pages,
random deep positions). Each board request is followed by a baseline request in the same run: a
bare page of 50 deadlines by primary key (``WHERE id > :x ORDER BY id LIMIT 50``) in the same kind
of session. Reports p50/p95/p99 in ms, the ratio to the baseline, and the plan of one overdue page;
appends to bench/RESULTS.md. Target (issue 4): p95 < 100 ms.

Generated data: filing dates spread evenly from 2019-01-02 to today (case ids in filing order); one
case in 25 is still unallocated, the rest split between the fast group (a quarter) and brigades 1–4,
two judges each; closed cases' clocks are met (some late), old open cases have breached D3 clocks,
a few past-due clocks are still open (the sweep has not run yet), 3 % of running D3 clocks are
paused, and recent cases' clocks are open.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text

from bench import harness

CASES_PER_BATCH = 50_000
PAGE = 50
TARGET_P95_MS = 100.0  # issue 4
FIRST_FILING = dt.date(2019, 1, 2)
UNITS = ["fast", "brigade-1", "brigade-2", "brigade-3", "brigade-4"]

# Per case g (1..n): filing date, whether it is closed, its unit and handler. ``span`` is the number
# of days from the first filing to today, so ids are in filing order.
_CASE_CTE = """
WITH c AS (
    SELECT g,
           CAST(:first AS date) + (CAST(g AS bigint) * :span / :n)::int AS filed_on,
           g % 25 = 0 AS unallocated,
           (CAST(:units AS text[]))[CASE WHEN g % 4 = 0 THEN 1 ELSE 2 + (g / 4) % 4 END] AS unit_code,
           (CAST(:handlers AS int[]))[1 + (CASE WHEN g % 4 = 0 THEN 0 ELSE 1 + (g / 4) % 4 END) * 2 + g % 2]
               AS handler_id,
           hashint4(g) AS h
    FROM generate_series(CAST(:lo AS int), CAST(:hi AS int)) AS g
), cc AS (
    SELECT c.*,
           -- a case closes within its first year four times in five; older open cases are the backlog
           (abs(h) % 100 < 80 AND filed_on + 300 < CAST(:today AS date)) AS closed,
           filed_on + 60 + abs(h) % 240 AS closed_on
    FROM c
)
"""

CASES_SQL = (
    _CASE_CTE
    + """
INSERT INTO "case" (id, case_number, case_year, court_code, type_code, serial, filed_on, category,
                    claim_amount, paid_amount, state, track, unit_code, handler_id, registered_at,
                    investigation_completed, willing_to_perform, settlement_likely, closure_mode, closed_on,
                    created_by_id, created_at, updated_at, version)
SELECT g, '（' || extract(year FROM filed_on)::int || '）豫0104执' || g || '号',
       extract(year FROM filed_on)::int, '豫0104', '执', g, filed_on, 'civil_commercial',
       ((g * 37) % 500000 + 1000)::numeric(18, 2), 0,
       CASE WHEN closed THEN 'closed' WHEN unallocated THEN 'registered' ELSE 'in_progress' END,
       CASE WHEN unallocated THEN NULL WHEN g % 4 = 0 THEN 'simple' ELSE 'ordinary' END,
       CASE WHEN NOT unallocated THEN unit_code END, CASE WHEN NOT unallocated THEN handler_id END,
       (filed_on + 1)::timestamptz, true, false, false,
       CASE WHEN closed THEN 'performed' END, CASE WHEN closed THEN closed_on END,
       :created_by, filed_on::timestamptz, filed_on::timestamptz, 1
FROM cc
"""
)

EVENTS_SQL = (
    _CASE_CTE
    + """
INSERT INTO deadline_event (id, case_id, event, occurred_on, subject_type, subject_id, params, recorded_at)
SELECT g, g, 'case.filed', filed_on, 'case', g, '{}', filed_on::timestamptz FROM cc
"""
)

# Clock outcomes by rule (r) and a per-clock hash (k, 0..99):
#   D1 (1 working day ~ +1): met on time 97 %, met late 2 %, breached 1 %
#   D2 (10 days): met on time 90 %, met late 7 %, breached 3 %
#   D3 (6 months): met when the case closed (late if after the due date); otherwise breached once past
#                  due (1 % still open: not yet swept), open or paused (3 %) before
#   D4 (3 months, a waiting period): met once past, open before
# Any clock due today or later is open (D3: or paused).
DEADLINES_SQL = (
    _CASE_CTE  # noqa: S608 - fixed text
    + """
, clocks AS (
    SELECT cc.*, r.rule, r.seq_no,
           CASE r.rule WHEN 'D1' THEN filed_on + 1 WHEN 'D2' THEN filed_on + 10
                       WHEN 'D3' THEN (filed_on + interval '6 months')::date
                       ELSE (filed_on + interval '3 months')::date END AS due_on,
           abs(hashint4(g * 4 + r.seq_no)) % 100 AS k
    FROM cc CROSS JOIN (VALUES ('D1', 1), ('D2', 2), ('D3', 3), ('D4', 4)) AS r(rule, seq_no)
), outcome AS (
    SELECT clocks.*,
           CASE
             WHEN due_on >= CAST(:today AS date) THEN
               CASE WHEN rule = 'D3' AND k < 3 THEN 'paused' ELSE 'open' END
             WHEN rule = 'D1' THEN CASE WHEN k < 99 THEN 'met' ELSE 'breached' END
             WHEN rule = 'D2' THEN CASE WHEN k < 97 THEN 'met' ELSE 'breached' END
             WHEN rule = 'D3' THEN CASE WHEN closed AND closed_on < CAST(:today AS date) THEN 'met'
                                        WHEN k < 1 THEN 'open' ELSE 'breached' END
             ELSE 'met'
           END AS status
    FROM clocks
)
INSERT INTO deadline (rule, case_id, subject_type, subject_id, seq, start_event_id, started_on, due_on,
                      status, provisional, met_on, met_late, paused_since, paused_days, extension_months,
                      breached_at, unit_code, handler_id, case_number, created_at, updated_at)
SELECT rule, g, 'case', g, 0, g, filed_on, due_on, status,
       due_on > DATE '2026-12-31',
       CASE WHEN status <> 'met' THEN NULL
            WHEN rule = 'D3' THEN closed_on
            WHEN rule = 'D4' THEN due_on
            WHEN (rule = 'D1' AND k >= 97) OR (rule = 'D2' AND k >= 90) THEN due_on + 1 + k % 5
            ELSE due_on - k % 2 END,
       status = 'met' AND ((rule = 'D3' AND closed_on > due_on) OR (rule = 'D1' AND k >= 97)
                           OR (rule = 'D2' AND k >= 90)),
       CASE WHEN status = 'paused' THEN CAST(:today AS date) - 1 - k % 30 END,
       0, 0,
       CASE WHEN status = 'breached' THEN (due_on + 1)::timestamptz END,
       CASE WHEN NOT unallocated THEN unit_code END, CASE WHEN NOT unallocated THEN handler_id END,
       '（' || extract(year FROM filed_on)::int || '）豫0104执' || g || '号',
       filed_on::timestamptz, filed_on::timestamptz
FROM outcome
"""
)


def generate(url: str, *, rows: int, user_ids: dict[str, int], today: dt.date) -> float:
    """Insert rows / 4 cases with their filing events and clocks; returns the seconds it took."""
    from app.models.deadline import Deadline

    n = max(1, rows // 4)
    handlers = [user_ids["fast-judge"], user_ids["fast-judge"]]
    for b in range(1, 5):
        handlers += [user_ids[f"brigade{b}-judge"], user_ids[f"brigade{b}-judge2"]]
    params = {
        "first": FIRST_FILING,
        "span": (today - FIRST_FILING).days,
        "n": n,
        "units": UNITS,
        "handlers": handlers,
        "today": today,
        "created_by": user_ids["filing-bot"],
    }
    engine = create_engine(url)
    started = time.perf_counter()
    try:
        board_indexes = list(Deadline.__table__.indexes)
        with engine.begin() as conn:  # bulk load first, index once afterwards
            for index in board_indexes:
                index.drop(conn)
        for lo in range(1, n + 1, CASES_PER_BATCH):
            hi = min(n, lo + CASES_PER_BATCH - 1)
            with engine.begin() as conn:
                # Generated rows are consistent by construction: skip the per-row foreign-key triggers.
                conn.execute(text("SET LOCAL session_replication_role = replica"))
                for sql in (CASES_SQL, EVENTS_SQL, DEADLINES_SQL):
                    conn.execute(text(sql), {**params, "lo": lo, "hi": hi})
            print(f"  generated cases {lo:,}–{hi:,} ({time.perf_counter() - started:.0f} s)", flush=True)
        with engine.begin() as conn:
            for index in board_indexes:
                index.create(conn)
            for table in ("case", "deadline_event", "deadline"):
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "  # noqa: S608
                        f'(SELECT max(id) FROM "{table}"))'
                    )
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    return time.perf_counter() - started


def distribution(engine: Engine, today: dt.date) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT status, count(*) FROM deadline GROUP BY status ORDER BY status"))
        overdue = conn.execute(
            text(
                "SELECT count(*) FROM deadline WHERE status = 'breached' OR "
                "(status = 'open' AND due_on < :t AND rule NOT IN ('D4', 'D7'))"
            ),
            {"t": today},
        ).scalar_one()
    return {**{status: count for status, count in rows}, "overdue": overdue}


# --- measurement ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardCall:
    scenario: str
    username: str
    status: str = "overdue"
    unit: str | None = None
    rule: str | None = None
    cursor: str | None = None


@dataclass
class Timings:
    samples: dict[str, list[float]] = field(default_factory=dict)

    def add(self, name: str, ms: float) -> None:
        self.samples.setdefault(name, []).append(ms)

    def all(self, prefix: str) -> list[float]:
        return [ms for name, values in self.samples.items() if name.startswith(prefix) for ms in values]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def calls(
    rng: random.Random,
    count: int,
    deep_positions: list[tuple[dt.date, int]],
    encode: Callable[[dt.date, int], str],
) -> list[BoardCall]:
    """The request mix; pages that follow a first page are added as they are answered (see measure)."""
    center = ["comprehensive", "comprehensive-lead", "director", "deputy"]
    brigades = [f"brigade{b}-judge" for b in range(1, 5)] + [f"brigade{b}-judge2" for b in range(1, 5)]
    result: list[BoardCall] = []
    for _ in range(count):
        roll = rng.random()
        unit = rng.choice([None, *UNITS])
        if roll < 0.30:
            result.append(BoardCall("overdue, first page", rng.choice(center), unit=unit))
        elif roll < 0.50:
            due, ident = rng.choice(deep_positions)
            result.append(
                BoardCall("overdue, deep cursor", rng.choice(center), unit=unit, cursor=encode(due, ident))
            )
        elif roll < 0.65:
            result.append(BoardCall("overdue, a brigade's own", rng.choice(brigades)))
        elif roll < 0.80:
            who = rng.choice(center + brigades)
            result.append(BoardCall("due soon", who, status="due_soon", unit=unit if who in center else None))
        elif roll < 0.90:
            result.append(
                BoardCall("overdue, one rule", rng.choice(center), unit=unit, rule=rng.choice(["D2", "D3"]))
            )
        else:
            result.append(
                BoardCall("open, one unit", rng.choice(center), status="open", unit=rng.choice(UNITS))
            )
    return result


def measure(url: str, *, requests: int, seed: int, today: dt.date) -> tuple[Timings, dict[str, int]]:
    """Time the board function and the baseline alternately; returns timings and items per scenario."""
    from sqlalchemy import select

    from app.database import reset_engine
    from app.database import session_scope
    from app.models.deadline import Deadline
    from app.models.user import User
    from app.services import deadline_board
    from app.services.session_listeners import install_session_listeners

    reset_engine()
    install_session_listeners()
    rng = random.Random(seed)
    with session_scope(read_only=True) as session:
        users = {u.username: u for u in session.scalars(select(User))}
        max_id = session.scalar(select(Deadline.id).order_by(Deadline.id.desc()).limit(1)) or 1
        deep = session.execute(
            text("SELECT due_on, id FROM deadline WHERE status = 'breached' ORDER BY random() LIMIT 500")
        ).all()

    def encode(due_on: dt.date, deadline_id: int) -> str:
        return deadline_board.BOARD_KEYSET.encode([due_on, deadline_id])  # the cursor the board issues

    timings = Timings()
    items: dict[str, int] = {}

    def board(call: BoardCall) -> str | None:
        started = time.perf_counter()
        with session_scope(read_only=True) as session:
            lines, next_cursor = deadline_board.deadline_board(
                session,
                user=users[call.username],
                status=call.status,
                unit=call.unit,
                rule=call.rule,
                cursor=call.cursor,
                limit=PAGE,
                today=today,
            )
        timings.add(f"board:{call.scenario}", (time.perf_counter() - started) * 1000)
        items[call.scenario] = items.get(call.scenario, 0) + len(lines)
        return next_cursor

    def baseline() -> None:
        after = rng.randrange(0, max(1, max_id - PAGE))
        started = time.perf_counter()
        with session_scope(read_only=True) as session:
            rows = session.scalars(
                select(Deadline).where(Deadline.id > after).order_by(Deadline.id).limit(PAGE)
            ).all()
            assert len(rows) <= PAGE
        timings.add("baseline", (time.perf_counter() - started) * 1000)

    warmup = calls(random.Random(seed + 1), 20, [tuple(r) for r in deep], encode)
    for call in warmup:
        board(call)
        baseline()
    timings = Timings()
    items.clear()
    queue = calls(rng, requests, [tuple(r) for r in deep], encode)
    done = 0
    while queue and done < requests:
        call = queue.pop(0)
        next_cursor = board(call)
        baseline()
        done += 1
        # A reader who opened a first page goes on to the next one or two.
        if next_cursor and call.cursor is None and call.scenario.startswith("overdue") and rng.random() < 0.5:
            queue.insert(
                rng.randrange(0, len(queue) + 1),
                BoardCall(
                    call.scenario.replace("first page", "next page"),
                    call.username,
                    call.status,
                    call.unit,
                    call.rule,
                    next_cursor,
                ),
            )
    return timings, items


def explain_overdue(engine: Engine, today: dt.date) -> str:
    """The plan of the first overdue page for one unit, as the board's query produces it."""
    from psycopg import ClientCursor
    from sqlalchemy import event
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.models.user import User
    from app.services import deadline_board

    captured: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001, ANN202
        if "FROM deadline" in statement and "JOIN" in statement:
            captured.append(ClientCursor(cursor.connection).mogrify(statement, parameters))

    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == "comprehensive")).one()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            deadline_board.deadline_board(
                session, user=user, status="overdue", unit="brigade-2", limit=PAGE, today=today
            )
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        plan = session.execute(
            text("EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) " + captured[-1])
        ).all()
    return "\n".join(row[0] for row in plan)


# --- report -----------------------------------------------------------------------------------------


def report(
    *,
    rows: int,
    timings: Timings,
    items: dict[str, int],
    counts: dict[str, int],
    generate_s: float,
    schema: str,
    machine: dict[str, str],
    plan: str,
    requests: int,
) -> str:
    board = timings.all("board:")
    base = timings.samples["baseline"]
    p = {q: percentile(board, q) for q in (50, 95, 99)}
    b = {q: percentile(base, q) for q in (50, 95, 99)}
    verdict = "meets" if p[95] < TARGET_P95_MS else "misses"
    lines = [
        f"## Deadline board at {rows:,} deadlines ({harness.now_stamp()})",
        "",
        f"Command: `{harness.command_line()}`",
        "",
        harness.machine_markdown(machine),
        f"- schema: {schema}",
        f"- generation: {generate_s:.0f} s; deadlines by status: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items() if k != "overdue")
        + f"; overdue (breached or open past due) {counts['overdue']:,}",
        "",
        f"{len(board)} board pages (limit {PAGE}) through `app.services.deadline_board.deadline_board`, "
        f"each in its own read-only session, alternating with {len(base)} baseline pages "
        "(`WHERE id > :x ORDER BY id LIMIT 50`).",
        "",
        "| measure | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|",
        f"| board, all requests | {p[50]:.2f} | {p[95]:.2f} | {p[99]:.2f} |",
        f"| baseline: primary-key page | {b[50]:.2f} | {b[95]:.2f} | {b[99]:.2f} |",
        f"| ratio board / baseline | {p[50] / b[50]:.2f} | {p[95] / b[95]:.2f} | {p[99] / b[99]:.2f} |",
        "",
        "| scenario | requests | items returned | p50 ms | p95 ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in sorted(timings.samples.items()):
        if name.startswith("board:"):
            scenario = name.removeprefix("board:")
            lines.append(
                f"| {scenario} | {len(values)} | {items.get(scenario, 0):,} | "
                f"{percentile(values, 50):.2f} | {percentile(values, 95):.2f} |"
            )
    lines += [
        "",
        f"Target p95 < {TARGET_P95_MS:.0f} ms: **{verdict}** ({p[95]:.2f} ms).",
        "",
        "Plan of one overdue page (unit brigade-2, first page):",
        "",
        "```",
        plan,
        "```",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.deadline_board",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url", required=True, help="a local PostgreSQL database whose name has 'bench'"
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="deadlines to generate (4 per case)")
    parser.add_argument("--requests", type=int, default=400, help="board pages to time (at least 200)")
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--no-results", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args(argv)
    if args.requests < 200:
        parser.error("--requests must be at least 200")
    harness.require_bench_database(args.database_url)
    os.environ["ENFORCEMENT_DATABASE_URL"] = args.database_url
    os.environ.setdefault("ENFORCEMENT_LOG_LEVEL", "WARNING")
    from app.settings import court_today

    today = court_today()
    schema = harness.fresh_schema(args.database_url)  # creates the database when missing
    machine = harness.machine_description(args.database_url)
    user_ids = harness.seed_organisation(args.database_url)
    print(f"generating {args.rows:,} deadlines …", flush=True)
    generate_s = generate(args.database_url, rows=args.rows, user_ids=user_ids, today=today)
    engine = create_engine(args.database_url)
    try:
        counts = distribution(engine, today)
        plan = explain_overdue(engine, today)
    finally:
        engine.dispose()
    print(f"timing {args.requests} board pages …", flush=True)
    timings, items = measure(args.database_url, requests=args.requests, seed=args.seed, today=today)
    section = report(
        rows=args.rows,
        timings=timings,
        items=items,
        counts=counts,
        generate_s=generate_s,
        schema=schema,
        machine=machine,
        plan=plan,
        requests=args.requests,
    )
    print(section)
    if not args.no_results:
        harness.append_results(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
