"""The statistics' roll-ups (app.models.rollup), counted again from the case and deadline rows.

    python -m app.rollups rebuild     # after a bulk load that skipped triggers, or to check them
    python -m app.rollups check       # exit status 1 when a counter differs from the rows

The triggers keep the roll-ups in the transaction of every write, so neither is needed in normal
running. ``rebuild`` takes a lock on both tables for its transaction, so no write is counted twice.
"""

from __future__ import annotations

import argparse
import sys

from sqlalchemy import Connection
from sqlalchemy import select
from sqlalchemy import text

from app.database import get_engine
from app.models import Base
from app.models.rollup import ROLLUPS
from app.models.rollup import rebuild_statements


def _counters(conn: Connection) -> set[tuple[object, ...]]:
    """Every non-zero counter of every roll-up table, as (table, *key, n)."""
    rows: set[tuple[object, ...]] = set()
    for name in dict.fromkeys(rollup.table for rollup in ROLLUPS):
        table = Base.metadata.tables[name]
        rows |= {(name, *row) for row in conn.execute(select(table).where(table.c.n != 0))}
    return rows


def rebuild(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text('LOCK TABLE "case", deadline IN SHARE MODE'))
    for statement in rebuild_statements(conn.dialect.name):
        conn.execute(text(statement))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=("rebuild", "check"))
    args = parser.parse_args(argv)
    with get_engine().begin() as conn:
        if args.command == "rebuild":
            rebuild(conn)
            print("roll-ups counted again from the rows")
            return 0
        kept = _counters(conn)
        rebuild(conn)
        counted = _counters(conn)
        conn.rollback()
    differences = kept ^ counted
    for row in sorted(differences, key=repr)[:20]:
        print(("kept   " if row in kept else "counted ") + repr(row))
    print("roll-ups agree with the rows" if not differences else f"{len(differences)} counters differ")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
