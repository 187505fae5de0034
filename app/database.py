"""Engine, sessions and the one transaction boundary of the service.

SQLite (the embedded default) runs in WAL mode with foreign keys on and a busy timeout; every
writing transaction starts with ``BEGIN IMMEDIATE`` so writers queue instead of failing with
"database is locked". PostgreSQL gets a sized pool with pre-ping so a restarted server is
picked up again without a restart of the API.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from app.settings import get_settings

READ_ONLY = "enforcement_read_only"


def build_engine(url: str) -> Engine:
    settings = get_settings()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000},
        )
        _configure_sqlite(engine, settings.sqlite_busy_timeout_ms)
        return engine
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


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


@lru_cache
def get_engine() -> Engine:
    return build_engine(get_settings().database_url)


@lru_cache
def _session_factories() -> tuple[sessionmaker[Session], sessionmaker[Session]]:
    engine = get_engine()
    writer = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    reader = sessionmaker(bind=engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)
    return writer, reader


def reset_engine() -> None:
    """Forget the cached engine (tests switch databases)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_engine.cache_clear()
    _session_factories.cache_clear()


def insert_skipping_conflicts(session: Session, model: type, *columns: str) -> PostgresInsert | SQLiteInsert:
    """``INSERT … ON CONFLICT (columns) DO NOTHING`` for the session's database: a concurrent insert of
    the same key waits for the other transaction and then inserts nothing (no RETURNING row)."""
    insert = postgres_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return insert(model).on_conflict_do_nothing(index_elements=list(columns) or None)


def open_session(*, read_only: bool = False) -> Session:
    """A new session (no connection is taken until its first statement)."""
    writer, reader = _session_factories()
    return (reader if read_only else writer)()


def finish_session(session: Session, *, read_only: bool = False) -> None:
    """Chain the audit entries, commit and close: the one place a transaction commits."""
    from app.services.audit import write_pending_entries

    try:
        if not read_only:
            write_pending_entries(session)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def abort_session(session: Session) -> None:
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
    finish_session(session, read_only=read_only)
