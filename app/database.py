"""Engine, sessions and the one transaction boundary of the service.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout; every
writing transaction starts with ``BEGIN IMMEDIATE`` so writers queue instead of failing with
"database is locked" (within a process the requests queue before that, see app.deps). Its pool holds
as many connections as the server has worker threads. PostgreSQL gets a sized pool with pre-ping so a
restarted server is picked up again without a restart of the API.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import AsyncIterator
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from contextlib import AsyncExitStack
from contextlib import asynccontextmanager
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import ColumnElement
from sqlalchemy import CursorResult
from sqlalchemy import Date
from sqlalchemy import DateTime
from sqlalchemy import Engine
from sqlalchemy import Executable
from sqlalchemy import Insert
from sqlalchemy import Numeric
from sqlalchemy import ScalarSelect
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import TypeDecorator
from sqlalchemy import cast
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from app.errors import ServiceUnavailable
from app.settings import get_settings

READ_ONLY = "enforcement_read_only"
_AUTOCOMMIT = "enforcement_autocommit"
# anyio's default limit of worker threads, where every request's statements run.
WORKER_THREADS = 40


def build_engine(url: str) -> Engine:
    settings = get_settings()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pool: dict[str, Any] = {}
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            pool = {"pool_size": WORKER_THREADS, "max_overflow": 0}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
            **pool,
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    _keep_insert_pages_parsed()
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        insertmanyvalues_page_size=INSERT_PAGE_ROWS,
    )


# A list of rows is sent as multi-row INSERTs of this many rows each (SQLAlchemy's insertmanyvalues).
# psycopg parses a statement's placeholders again on every execution unless the statement is short
# (4,096 characters and 50 parameters; psycopg discussion #628); a bulk intake sends the same page
# text again and again, so pages this size stay parsed: 2.4 s → 1.0 s of CPU per 1,000 cases.
INSERT_PAGE_ROWS = 100
_PARSED_STATEMENT_MAX_CHARS = 65_536
_PARSED_STATEMENT_MAX_PARAMS = 2_000


def _keep_insert_pages_parsed() -> None:
    import psycopg._queries

    psycopg._queries.MAX_CACHED_STATEMENT_LENGTH = _PARSED_STATEMENT_MAX_CHARS
    psycopg._queries.MAX_CACHED_STATEMENT_PARAMS = _PARSED_STATEMENT_MAX_PARAMS


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None  # transactions are begun explicitly below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Readers take a snapshot; writers take the write lock up front so they queue on the
        # busy timeout rather than fail when upgrading a read lock.
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get(READ_ONLY) else "BEGIN IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def pool_capacity(engine: Engine) -> int:
    """Connections the engine's pool lends at once (its size plus overflow)."""
    pool = engine.pool
    size = getattr(pool, "size", None)
    overflow = getattr(pool, "_max_overflow", 0)
    return WORKER_THREADS if size is None else int(size()) + max(int(overflow), 0)


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@lru_cache
def _session_factories() -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    engine = get_engine()
    writer = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    options: dict[str, Any] = {READ_ONLY: True}
    if not is_sqlite(engine):
        # PostgreSQL reads at READ COMMITTED, where every statement takes its own snapshot inside a
        # transaction too: a reader's statements each commit by themselves, which reads the same data
        # without a BEGIN and a COMMIT round trip. SQLite keeps its BEGIN (one snapshot for the reader).
        options["isolation_level"] = "AUTOCOMMIT"
    info = {READ_ONLY: True, _AUTOCOMMIT: "isolation_level" in options}
    reader = sessionmaker(bind=engine.execution_options(**options), expire_on_commit=False, info=info)
    return writer, reader


def reset_engine() -> None:
    """Forget the cached engine (tests switch databases)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    _session_factories.cache_clear()


def insert_skipping_conflicts(
    session: Session, model: type | Table, *columns: str, returning: tuple[Any, ...] = ()
) -> Insert:
    """``INSERT … ON CONFLICT (columns) DO NOTHING [RETURNING …]`` for the session's database: a
    concurrent insert of the same key waits for the other transaction and then inserts nothing (no
    RETURNING row). Built once and reused: pass the values as execution parameters."""
    return _insert_skipping_conflicts(session.get_bind().dialect.name, model, columns, returning)


@lru_cache
def _insert_skipping_conflicts(
    dialect: str, model: type | Table, columns: tuple[str, ...], returning: tuple[Any, ...]
) -> Insert:
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(model).on_conflict_do_nothing(index_elements=list(columns) or None)
    return statement.returning(*returning) if returning else statement


@lru_cache
def insert_returning(table: Table) -> Insert:
    """``INSERT … RETURNING`` every column of ``table``, rows in the order of the parameters given;
    built once per table (statement construction costs more than its execution)."""
    return insert(table).returning(*table.c, sort_by_parameter_order=True)


def run(
    session: Session,
    statement: Executable,
    params: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None,
) -> CursorResult[Any]:
    """Run a statement on tables (no mapped class, so no ORM object is read or written) on the
    session's connection, in its transaction, without the ORM's execute steps; one set of ``params``
    is sent as one execution rather than as a batch of one."""
    if isinstance(params, Sequence) and len(params) == 1:
        params = params[0]
    return session.connection().execute(statement, params)


def open_session(*, read_only: bool = False) -> Session:
    """A new session (no connection is taken until its first statement)."""
    writer, reader = _session_factories()
    return (reader if read_only else writer)()


def is_read_only(session: Session) -> bool:
    """True for a session opened with ``read_only=True`` (a GET request's, or a report's)."""
    return bool(session.info.get(READ_ONLY))


def commits_by_statement(session: Session) -> bool:
    """True for a PostgreSQL reader: each statement committed by itself, so ending the session sends
    nothing to the database (it may be closed on the event loop)."""
    return bool(session.info.get(_AUTOCOMMIT))


def finish_session(session: Session) -> None:
    """Commit and close: the one place a transaction commits. What goes with every commit (the audit
    chain) is a session listener the entry point installs (app.services.session_listeners)."""
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def abort_session(session: Session) -> None:
    """Roll back whatever the request did and close."""
    try:
        session.rollback()
    finally:
        session.close()


@contextmanager
def session_scope(*, read_only: bool = False) -> Iterator[Session]:
    """A transaction for scripts and jobs: committed on success, rolled back when the body raises."""
    session = open_session(read_only=read_only)
    try:
        yield session
    except BaseException:
        abort_session(session)
        raise
    finish_session(session)


# Waiting for the database on the event loop --------------------------------------------------------


@dataclass(frozen=True)
class _Gates:
    """What a request waits for on the event loop, holding no thread and no connection meanwhile.

    ``admission``: work with a session, at most as much as the pool has connections, so work that
    has a connection never waits for another one's thread or connection. ``writer`` (SQLite): one
    writing transaction of the process at a time holds the database's write lock; the others queue
    here, in order, instead of in SQLite's busy handler.
    """

    admission: anyio.Semaphore
    writer: anyio.Lock | None


RETRY_AFTER_BUSY_S = 5
_GATES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Gates] = weakref.WeakKeyDictionary()


def _gates() -> _Gates:
    loop = asyncio.get_running_loop()
    gates = _GATES.get(loop)
    if gates is None:
        engine = get_engine()
        gates = _Gates(anyio.Semaphore(pool_capacity(engine)), anyio.Lock() if is_sqlite(engine) else None)
        _GATES[loop] = gates
    return gates


@asynccontextmanager
async def database_turn(*, read_only: bool) -> AsyncIterator[None]:
    """Wait on the event loop for a connection (and, on SQLite, for the write lock when writing).

    A wait that outlasts the busy timeout is a 503 with Retry-After, not a queue of worker threads.
    Every path that opens sessions from a request waits here: the request's session (app.deps) and
    the login's own short transactions (app.services.auth).
    """
    gates = _gates()
    if _enter_at_once(gates, read_only=read_only):
        try:
            yield
        finally:
            _leave(gates, read_only=read_only)
        return
    async with AsyncExitStack() as held:
        with anyio.move_on_after(get_settings().sqlite_busy_timeout_ms / 1000) as waiting:
            if gates.writer is not None and not read_only:
                await held.enter_async_context(gates.writer)
            await held.enter_async_context(gates.admission)
        if waiting.cancelled_caught:
            raise ServiceUnavailable("the service is busy; retry shortly", retry_after=RETRY_AFTER_BUSY_S)
        yield


def _enter_at_once(gates: _Gates, *, read_only: bool) -> bool:
    """Take the turn without waiting when it is free (the usual case): no timeout to arm, no pass
    through the event loop. A released permit goes to a waiter first, so nobody is overtaken."""
    writer = gates.writer if not read_only else None
    try:
        if writer is not None:
            writer.acquire_nowait()
    except anyio.WouldBlock:
        return False
    try:
        gates.admission.acquire_nowait()
    except anyio.WouldBlock:
        if writer is not None:
            writer.release()
        return False
    return True


def _leave(gates: _Gates, *, read_only: bool) -> None:
    gates.admission.release()
    if gates.writer is not None and not read_only:
        gates.writer.release()


# A child list in the parent's row -----------------------------------------------------------------

_POSITION = "_position"  # each row's place in the list's order, carried through the aggregate


def json_rows(
    dialect: str,
    columns: Sequence[ColumnElement[Any]],
    *,
    where: ColumnElement[bool],
    order_by: Sequence[ColumnElement[Any]],
    limit: int | None = None,
) -> ScalarSelect[Any]:
    """A scalar subquery giving the matching rows as one JSON array of objects (keyed by column name),
    so that a record and its child lists come back in one statement. Decode with :func:`decode_json_rows`."""
    pairs = [
        part for column in columns for part in (literal(column.key, String), _json_value(column, dialect))
    ]
    pairs += [literal(_POSITION, String), func.row_number().over(order_by=list(order_by))]
    if dialect == "postgresql":
        row, aggregate, empty = func.json_build_object(*pairs), func.json_agg, text("'[]'::json")
    else:
        row, aggregate, empty = func.json_object(*pairs), func.json_group_array, text("'[]'")
    rows = select(row.label("row")).where(where).order_by(*order_by).limit(limit).subquery()
    value = rows.c.row if dialect == "postgresql" else func.json(rows.c.row)
    return select(func.coalesce(aggregate(value), empty)).scalar_subquery()


def decode_json_rows(
    columns: Sequence[ColumnElement[Any]],
    rows: str | list[dict[str, Any]] | None,
) -> list[SimpleNamespace]:
    """The rows of a :func:`json_rows` array, in its order, with the values the columns' types give
    when read directly (dates, aware UTC datetimes, exact decimals, booleans, enum members)."""
    decoded: list[dict[str, Any]] = json.loads(rows) if isinstance(rows, str) else rows or []  # SQLite: text
    ordered = sorted(decoded, key=lambda row: row[_POSITION])
    decode = _row_decoder(tuple(columns))
    return [decode(row) for row in ordered]


@lru_cache(maxsize=64)
def _row_decoder(columns: tuple[ColumnElement[Any], ...]) -> Callable[[dict[str, Any]], SimpleNamespace]:
    """How a row of these columns is decoded, worked out once per list rather than for every value."""
    steps = [(str(column.key), _value_decoder(column)) for column in columns]

    def decode(row: dict[str, Any]) -> SimpleNamespace:
        values = {key: row[key] for key, _ in steps}
        for key, convert in steps:
            if convert is not None and values[key] is not None:
                values[key] = convert(values[key])
        return SimpleNamespace(**values)

    return decode


def _stored_type(column: ColumnElement[Any]) -> Any:
    """The database type under a column's type decorator (Money → Numeric, UTCDateTime → DateTime)."""
    return column.type.impl_instance if isinstance(column.type, TypeDecorator) else column.type


def _json_value(column: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    kind = _stored_type(column)
    if isinstance(kind, Numeric):
        return cast(column, String)  # exact: a JSON number would come back as a float
    if isinstance(kind, JSON) and dialect == "sqlite":
        return func.json(column)  # stored as text: embed it as JSON, not as a string
    return column


def _value_decoder(column: ColumnElement[Any]) -> Callable[[Any], Any] | None:
    """What turns the column's JSON value into the value read directly; None: it is that already."""
    kind = _stored_type(column)
    if isinstance(kind, Numeric):
        return _cents if kind.scale == 2 else Decimal
    if isinstance(kind, DateTime):
        return _utc_datetime
    if isinstance(kind, Date):
        return date.fromisoformat
    if isinstance(kind, Boolean):
        return bool
    if isinstance(kind, String):
        python_type = column.type.python_type  # str, or the enum of an enum column
        return None if python_type is str else python_type
    return None


_CENT = Decimal("0.01")


def _cents(value: str) -> Decimal:
    return Decimal(value).quantize(_CENT)


def _utc_datetime(value: str) -> datetime:
    read = datetime.fromisoformat(value)
    return read.replace(tzinfo=UTC) if read.tzinfo is None else read.astimezone(UTC)
