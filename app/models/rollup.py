"""Roll-ups of the command center's statistics (plan §3(1) 数据提取、统计工作): counters kept by the
database itself, in the transaction of every write to ``case`` and ``deadline``, so that the overview
and the trends add up a few thousand counters instead of a million cases.

Database triggers keep them, whatever writes the rows (the ORM, a bulk ``INSERT … SELECT``, the
sweep's ``UPDATE``): for each row written, one upsert per roll-up (``ON CONFLICT … DO UPDATE SET
n = n + excluded.n``) subtracts the old row and adds the new one; on PostgreSQL the trigger is
deferred to the transaction's COMMIT. Cases and
deadlines are never deleted, so there is no delete trigger. Counters by filing date come in grains
(a month ``YYYY-MM``, a day ``YYYY-MM-DD``, all time); a missing unit, track or closing mode is
``''``, and so is the filing period of a deadline of no case (an objection's, a petition's).
``rebuild_statements`` recomputes every roll-up from the rows (``python -m app.rollups rebuild``,
and the migration's backfill).
"""

# ruff: noqa: S608 - the SQL is built from this module's fixed names and expressions, never from input

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Boolean
from sqlalchemy import Integer
from sqlalchemy import PrimaryKeyConstraint
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base

CASE_CLOSE = "case_close"  # days from filing to closing (plan §2(4), §3(1) median days to close)
DISPOSAL_RETURN = "D13_met"  # days from approval to return of a disposal transfer (D13)

# Grains of the counters by filing date: a month ('YYYY-MM') for whole months, a day ('YYYY-MM-DD')
# for the days of a period's partial months, and for the histograms also all time (period ''),
# where the monthly ones would hold one row per month, unit and number of days to add up.
MONTH, DAY, ALL_TIME = "M", "D", "A"


class ByFilingPeriod:
    """The key every counter by filing date starts with: the grain, the filing period of that grain
    and the unit; ``n`` is the count."""

    grain: Mapped[str] = mapped_column(String(1))
    filed_period: Mapped[str] = mapped_column(String(10))
    unit_code: Mapped[str] = mapped_column(String(32))
    n: Mapped[int] = mapped_column(Integer)

    @staticmethod
    def key(*columns: str) -> tuple[PrimaryKeyConstraint]:
        """A primary key of the grain, the filing period and the unit, then ``columns``."""
        return (PrimaryKeyConstraint("grain", "filed_period", "unit_code", *columns),)


class CaseTally(ByFilingPeriod, Base):
    """Cases by filing month or day, unit, state, track and closing mode."""

    __tablename__ = "case_tally"
    __table_args__ = ByFilingPeriod.key("state", "track", "closure_mode")

    state: Mapped[str] = mapped_column(String(20))
    track: Mapped[str] = mapped_column(String(20))
    closure_mode: Mapped[str] = mapped_column(String(30))


class ClosingTally(Base):
    """Closed cases by closing month, unit and closing mode (the trends' closings and 终本)."""

    __tablename__ = "closing_tally"
    __table_args__ = (PrimaryKeyConstraint("closed_month", "unit_code", "closure_mode"),)

    closed_month: Mapped[str] = mapped_column(String(7))
    unit_code: Mapped[str] = mapped_column(String(32))
    closure_mode: Mapped[str] = mapped_column(String(30))
    n: Mapped[int] = mapped_column(Integer)


class DurationTally(ByFilingPeriod, Base):
    """How many took how many days (a histogram, for exact medians) by filing period and unit."""

    __tablename__ = "duration_tally"
    __table_args__ = (PrimaryKeyConstraint("measure", "grain", "filed_period", "unit_code", "days"),)

    measure: Mapped[str] = mapped_column(String(16))
    days: Mapped[int] = mapped_column(Integer)


class DeadlineTally(ByFilingPeriod, Base):
    """Deadline clocks by their case's filing period ('' for no case), unit, rule, status, lateness."""

    __tablename__ = "deadline_tally"
    __table_args__ = ByFilingPeriod.key("rule", "status", "met_late")

    rule: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12))
    met_late: Mapped[bool] = mapped_column(Boolean)


class JudgeTally(Base):
    """Open cases per handling judge (workload)."""

    __tablename__ = "judge_tally"

    handler_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


# Key expressions take the dialect name and the alias of the row ("r"), and return SQL.
Expr = Callable[[str, str], str]


_LENGTH = {MONTH: 7, DAY: 10}


def _date_text(d: str, column: str, grain: str) -> str:
    """A date column as 'YYYY-MM' (MONTH) or 'YYYY-MM-DD' (DAY); SQLite stores dates as that text."""
    if d == "postgresql":
        return f"to_char({column}, '{'YYYY-MM' if grain == MONTH else 'YYYY-MM-DD'}')"
    return f"substr({column}, 1, {_LENGTH[grain]})"


def _month(column: str) -> Expr:
    return lambda d, r: _date_text(d, f"{r}.{column}", MONTH)


def _filed(grain: str) -> Expr:
    if grain == ALL_TIME:
        return lambda d, r: "''"
    return lambda d, r: _date_text(d, f"{r}.filed_on", grain)


def _case_filed(grain: str) -> Expr:
    """The filing period of a deadline's case; '' for a deadline of no case."""
    if grain == ALL_TIME:
        return lambda d, r: "''"

    def expr(d: str, r: str) -> str:
        filed = _date_text(d, "c.filed_on", grain)
        return f"""coalesce((SELECT {filed} FROM "case" c WHERE c.id = {r}.case_id), '')"""

    return expr


def _days(later: str, earlier: str) -> Expr:
    def expr(d: str, r: str) -> str:
        if d == "postgresql":
            return f"({r}.{later} - {r}.{earlier})"
        return f"CAST(julianday({r}.{later}) - julianday({r}.{earlier}) AS INTEGER)"

    return expr


def _column(column: str, *, blank_when_null: bool = False) -> Expr:
    return lambda d, r: f"coalesce({r}.{column}, '')" if blank_when_null else f"{r}.{column}"


def _constant(value: str) -> Expr:
    return lambda d, r: f"'{value}'"


@dataclass(frozen=True, slots=True)
class Rollup:
    """One roll-up: the counters of ``table`` kept from the rows of ``source`` that match ``where``."""

    name: str
    table: str
    source: str
    keys: tuple[tuple[str, Expr], ...]
    where: Callable[[str], str]  # alias → condition

    def key_columns(self) -> str:
        return ", ".join(column for column, _ in self.keys)

    def key_values(self, dialect: str, alias: str) -> str:
        return ", ".join(f"{expr(dialect, alias)} AS {column}" for column, expr in self.keys)


_UNIT = ("unit_code", _column("unit_code", blank_when_null=True))


ALWAYS = "1 = 1"


def _always(r: str) -> str:
    return ALWAYS


def _closed(r: str) -> str:
    return f"{r}.closed_on IS NOT NULL"


def _disposal_returned(r: str) -> str:
    return f"{r}.rule = 'D13' AND {r}.met_on IS NOT NULL"


def _by_filing(grain: str) -> tuple[Rollup, ...]:
    """The roll-ups counted by the filing period of one grain."""
    period = (("grain", _constant(grain)), ("filed_period", _filed(grain)))
    case_period = (("grain", _constant(grain)), ("filed_period", _case_filed(grain)))
    histograms = (
        Rollup(
            f"close_days_{grain}",
            "duration_tally",
            "case",
            (("measure", _constant(CASE_CLOSE)), *period, _UNIT, ("days", _days("closed_on", "filed_on"))),
            _closed,
        ),
        Rollup(
            f"disposal_days_{grain}",
            "duration_tally",
            "deadline",
            (
                ("measure", _constant(DISPOSAL_RETURN)),
                *case_period,
                _UNIT,
                ("days", _days("met_on", "started_on")),
            ),
            _disposal_returned,
        ),
    )
    if grain == ALL_TIME:
        return histograms
    counts = (
        Rollup(
            f"case_tally_{grain}",
            "case_tally",
            "case",
            (
                *period,
                _UNIT,
                ("state", _column("state")),
                ("track", _column("track", blank_when_null=True)),
                ("closure_mode", _column("closure_mode", blank_when_null=True)),
            ),
            _always,
        ),
        Rollup(
            f"deadline_tally_{grain}",
            "deadline_tally",
            "deadline",
            (
                *case_period,
                _UNIT,
                ("rule", _column("rule")),
                ("status", _column("status")),
                ("met_late", _column("met_late")),
            ),
            _always,
        ),
    )
    return counts + histograms


ROLLUPS = (
    *_by_filing(MONTH),
    *_by_filing(DAY),
    *_by_filing(ALL_TIME),
    Rollup(
        "closing_tally",
        "closing_tally",
        "case",
        (
            ("closed_month", _month("closed_on")),
            _UNIT,
            ("closure_mode", _column("closure_mode", blank_when_null=True)),
        ),
        _closed,
    ),
    Rollup(
        "judge_tally",
        "judge_tally",
        "case",
        (("handler_id", _column("handler_id")),),
        lambda r: f"{r}.handler_id IS NOT NULL AND {r}.state <> 'closed'",
    ),
)
SOURCES = ("case", "deadline")


def _upsert(rollup: Rollup, dialect: str, select_sql: str) -> str:
    keys = rollup.key_columns()
    return (
        f"INSERT INTO {rollup.table} ({keys}, n) {select_sql} "
        f"ON CONFLICT ({keys}) DO UPDATE SET n = {rollup.table}.n + excluded.n"
    )


def _counted(rollup: Rollup, dialect: str) -> str:
    """The counters of ``rollup`` counted from every row of its source."""
    keys = rollup.key_columns()
    values = rollup.key_values(dialect, "r")
    rows = f'SELECT {values} FROM "{rollup.source}" r WHERE {rollup.where("r")}'
    return f"SELECT {keys}, count(*) FROM ({rows}) x WHERE true GROUP BY {keys}"


# The columns the roll-ups read: an UPDATE that sets none of them leaves the counters alone.
WATCHED = {
    "case": ("filed_on", "unit_code", "handler_id", "state", "track", "closure_mode", "closed_on"),
    "deadline": ("case_id", "unit_code", "rule", "status", "met_late", "started_on", "met_on"),
}


def _row_upserts(source: str, dialect: str, alias: str, sign: int) -> list[str]:
    """The upserts adding ``sign`` for the row ``alias`` (NEW or OLD) of ``source`` to each roll-up."""
    return [
        _upsert(
            rollup, dialect, f"SELECT {rollup.key_values(dialect, alias)}, {sign} WHERE {rollup.where(alias)}"
        )
        for rollup in ROLLUPS
        if rollup.source == source
    ]


def _guarded_upserts(source: str, alias: str, sign: int) -> list[str]:
    """PL/pgSQL adding ``sign`` for the row ``alias`` of ``source``: one upsert per roll-up table and
    condition, its grains' rows in one statement, under an IF of the condition; a row that most
    roll-ups do not count (an open case, a clock other than D13) costs a test, not a statement."""
    groups: dict[tuple[str, str], list[Rollup]] = {}
    for rollup in ROLLUPS:
        if rollup.source == source:
            groups.setdefault((rollup.table, rollup.where(alias)), []).append(rollup)
    statements = []
    for (_table, condition), rollups in groups.items():
        rows = " UNION ALL ".join(f"SELECT {r.key_values('postgresql', alias)}, {sign}" for r in rollups)
        upsert = _upsert(rollups[0], "postgresql", rows)  # one table: the same key columns
        statements.append(upsert if condition == ALWAYS else f"IF {condition} THEN\n{upsert};\nEND IF")
    return statements


def _postgres_triggers() -> list[str]:
    """One deferred row trigger per table: its upserts run at COMMIT, after the audit chain's head
    row is locked (app.services.audit), so writers never wait for each other's counters any longer
    than they already wait for the chain, and never lock two counters in opposite orders."""
    statements = []
    for source in SOURCES:
        function = f"rollup_{source}"
        old = ";\n".join(_guarded_upserts(source, "OLD", -1))
        new = ";\n".join(_guarded_upserts(source, "NEW", 1))
        statements += [
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN\n"
            f"IF TG_OP = 'UPDATE' THEN\n{old};\nEND IF;\n{new};\nRETURN NULL; END $$",
            f"CREATE CONSTRAINT TRIGGER {function} AFTER INSERT OR UPDATE OF {', '.join(WATCHED[source])} "
            f'ON "{source}" DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {function}()',
        ]
    return statements


def _sqlite_triggers() -> list[str]:
    """Row triggers, run with each statement (SQLite has one writer at a time)."""
    statements = []
    for source in SOURCES:
        for event, rows in (("insert", (("NEW", 1),)), ("update", (("OLD", -1), ("NEW", 1)))):
            body = "".join(
                f"{upsert};\n"
                for alias, sign in rows
                for upsert in _row_upserts(source, "sqlite", alias, sign)
            )
            columns = f" OF {', '.join(WATCHED[source])}" if event == "update" else ""
            trigger = f'CREATE TRIGGER rollup_{source}_{event} AFTER {event.upper()}{columns} ON "{source}"'
            statements.append(f"{trigger} BEGIN\n{body}END")
    return statements


def trigger_statements(dialect: str) -> list[str]:
    """The DDL creating the triggers that keep the roll-ups."""
    return _postgres_triggers() if dialect == "postgresql" else _sqlite_triggers()


def drop_trigger_statements(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [
            statement
            for source in SOURCES
            for statement in (
                f'DROP TRIGGER IF EXISTS rollup_{source} ON "{source}"',
                f"DROP FUNCTION IF EXISTS rollup_{source}()",
            )
        ]
    return [
        f"DROP TRIGGER IF EXISTS rollup_{source}_{event}"
        for source in SOURCES
        for event in ("insert", "update")
    ]


def rebuild_statements(dialect: str) -> list[str]:
    """Empty every roll-up and count it again from the rows."""
    tables = dict.fromkeys(rollup.table for rollup in ROLLUPS)
    statements = [f"DELETE FROM {table}" for table in tables]
    for rollup in ROLLUPS:
        statements.append(_upsert(rollup, dialect, _counted(rollup, dialect)))
    return statements
