"""The floor under the bulk intake: what the service's process spends only to send the rows a filed
case stores, before any rule runs.

    python -m bench.write_floor --database-url postgresql+psycopg://postgres@127.0.0.1:5432/enf_bulk_bench \\
        [--cases 1000 --repeat 5]

Reads every row that ``cases`` filed cases stored (the case, its account, parties, clue, filing
event, clocks, audit entries and outbox event) from a database a bulk import has filled (run
``bench.bulk_intake`` first; it leaves its cases in its database), then sends copies of them through
the service's write path (``app.database.run``: SQLAlchemy Core and psycopg, multi-row INSERTs of
``INSERT_PAGE_ROWS`` rows, each returning the new ids as the intake's INSERTs do) into temporary
tables with the same columns and types and nothing but their primary key (no other index, no
constraint, default or trigger), in a transaction that is
rolled back. Nothing is validated, computed, hashed or serialized beyond what the column types do.
Reports the process's CPU per row of each table and per case (best of ``repeat``): a lower bound of
what any intake that stores the same rows through this write path spends in its own process, to be
set beside ``bench.bulk_intake``'s CPU per 1,000 cases (service and PostgreSQL). Reads only: its
temporary tables are rolled back with the rows.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from bench import harness

# What a filing stores, table by table (app.services.intake, deadline_clocks, audit, outbox).
FILED_TABLES = (
    "case",
    "case_account",
    "party",
    "property_clue",
    "deadline_event",
    "deadline",
    "audit_entry",
    "outbox_event",
)


def _bare_copy(table: Table, metadata: MetaData) -> Table:
    """``table``'s columns with their types, as a temporary table with nothing but its primary key: no
    other index, no constraint, default or trigger."""
    columns = [Column(c.name, c.type, primary_key=c.primary_key) for c in table.c]
    return Table(f"floor_{table.name}", metadata, *columns, prefixes=["TEMPORARY"])


def _stored_rows(session: Session, table: Table, case_ids: Sequence[int]) -> list[dict[str, Any]]:
    key = table.c.id if table.name == "case" else table.c.case_id
    # Ids are the database's to assign, as on a filing; the outbox's position is the service's.
    query = select(*(c for c in table.c if c.name != "id")).where(key.in_(case_ids))
    rows = [dict(row._mapping) for row in session.execute(query)]
    # A column NULL in every row is left out, as the intake leaves such columns out of its INSERTs:
    # fewer parameters per page, so the figure stays a floor.
    unused = {name for name in rows[0] if all(row[name] is None for row in rows)} if rows else set()
    return [{name: value for name, value in row.items() if name not in unused} for row in rows]


def measure(url: str, cases: int, repeat: int) -> tuple[dict[str, int], dict[str, float]]:
    """(rows per table, best CPU seconds per table) for copies of ``cases`` filed cases' rows."""
    from app.database import build_engine
    from app.database import run
    from app.models.base import Base

    tables = {name: Base.metadata.tables[name] for name in FILED_TABLES}
    engine = build_engine(url)
    with Session(bind=engine) as session:
        case_ids = list(session.scalars(select(tables["case"].c.id).order_by("id").limit(cases)))
        if len(case_ids) < cases:
            raise SystemExit(f"the database holds {len(case_ids)} filed cases; run bench.bulk_intake first")
        rows = {name: _stored_rows(session, table, case_ids) for name, table in tables.items()}
        session.rollback()
        metadata = MetaData()
        copies = {name: _bare_copy(table, metadata) for name, table in tables.items()}
        best = {name: float("inf") for name in FILED_TABLES}
        for _ in range(repeat):
            metadata.create_all(session.connection())  # rolled back with the rows
            for name, copy in copies.items():
                [key] = copy.primary_key
                statement = insert(copy).returning(key, sort_by_parameter_order=True)
                started = time.process_time()
                run(session, statement, rows[name]).all()
                best[name] = min(best[name], time.process_time() - started)
            session.rollback()
    engine.dispose()
    return {name: len(found) for name, found in rows.items()}, best


def report(cases: int, counts: dict[str, int], best: dict[str, float]) -> list[str]:
    lines = [
        "| table | rows per case | µs per row | µs per case |",
        "|---|---:|---:|---:|",
    ]
    for name in FILED_TABLES:
        per_row = best[name] / counts[name] * 1e6 if counts[name] else 0.0
        per_case = best[name] / cases * 1e6
        lines.append(f"| {name} | {counts[name] / cases:.1f} | {per_row:.1f} | {per_case:.0f} |")
    total = sum(best.values())
    rows = sum(counts.values())
    lines += [
        f"| all | {rows / cases:.1f} | {total / rows * 1e6:.1f} | {total / cases * 1e6:.0f} |",
        "",
        f"- sending the rows of {cases:,} filed cases, nothing else: **{total / cases * 1e3:.2f} CPU-s per "
        f"1,000 cases** in the sending process (best of the runs)",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", required=True, help="a database bench.bulk_intake has filled")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-results", action="store_true", help="print only")
    args = parser.parse_args()
    harness.require_bench_database(args.database_url)
    counts, best = measure(args.database_url, args.cases, args.repeat)
    section = [
        *harness.section_head(
            "The rows a filed case stores, sent with no rule", harness.machine_description(args.database_url)
        ),
        *report(args.cases, counts, best),
    ]
    print("\n".join(section))
    if not args.no_results:
        harness.append_results("\n".join(section))
        print(f"appended to {harness.RESULTS}")


if __name__ == "__main__":
    main()
