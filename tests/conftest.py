"""Test harness: one migrated database per run (SQLite by default, PostgreSQL when
``TEST_DATABASE_URL`` names one), emptied between tests; the organisation and demo users stay."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
_tmp = tempfile.mkdtemp(prefix="enforcement-test-")
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_tmp}/test.db"
IS_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")

os.environ["ENFORCEMENT_DATABASE_URL"] = TEST_DATABASE_URL
os.environ["ENFORCEMENT_ENVIRONMENT"] = "test"
os.environ["ENFORCEMENT_JWT_SECRET"] = "test-secret-" + "x" * 40
os.environ["ENFORCEMENT_AUDIT_ANCHOR_KEY"] = "test-audit-key-" + "y" * 40
os.environ["ENFORCEMENT_AUDIT_CHECKPOINT_DIR"] = f"{_tmp}/audit-checkpoints"
os.environ.setdefault("ENFORCEMENT_LOG_LEVEL", "WARNING")
os.environ["ENFORCEMENT_DEMO_PASSWORD"] = "demo-password"
# An event stream (GET /events/stream) ends soon, so that a test reading one to its end is quick.
os.environ.setdefault("ENFORCEMENT_EVENTS_STREAM_SECONDS", "0.3")

from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from app.database import get_engine  # noqa: E402
from app.database import reset_engine  # noqa: E402
from app.database import session_scope  # noqa: E402
from app.models import Base  # noqa: E402
from app.models.user import User  # noqa: E402
from app.seed import seed_demo_users  # noqa: E402
from app.seed import seed_units  # noqa: E402
from app.services.session_listeners import install_session_listeners  # noqa: E402
from tests.helpers import Auth  # noqa: E402

KEEP_TABLES = {"unit", "user", "alembic_version"}
DEMO_PASSWORD = "demo-password"


def alembic_config(url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    cfg.attributes["configure_logger"] = False
    return cfg


def postgres_reachable(url: str) -> bool:
    """Create the test database when missing; False when the server cannot be reached."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        return True
    except Exception:
        return False
    finally:
        admin.dispose()


def _fresh_schema(url: str) -> None:
    if IS_POSTGRES:
        if not postgres_reachable(url):
            if os.environ.get("CI"):
                raise RuntimeError(f"PostgreSQL is unreachable at {url} (CI requires it)")
            pytest.skip("PostgreSQL unreachable", allow_module_level=True)
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            # A throw-away database: commits need not wait for the disk.
            conn.execute(text(f'ALTER DATABASE "{make_url(url).database}" SET synchronous_commit = off'))
        engine.dispose()
    if os.environ.get("TEST_SCHEMA") == "models":
        # While a change is in progress its tables may not have a migration yet;
        # tests/test_contract.py still fails until one is written.
        engine = create_engine(url)
        Base.metadata.create_all(engine)
        engine.dispose()
    else:
        command.upgrade(alembic_config(url), "head")


@pytest.fixture(scope="session", autouse=True)
def database() -> Iterator[str]:
    _fresh_schema(TEST_DATABASE_URL)
    reset_engine()
    install_session_listeners()  # tests also open sessions without the app factory, which installs them
    with session_scope() as session:
        seed_units(session)
        seed_demo_users(session, DEMO_PASSWORD)
    yield TEST_DATABASE_URL
    reset_engine()


_SEQUENCES: list[str] = []


def _empty_tables() -> None:
    """DELETE (not TRUNCATE: far cheaper on near-empty tables) and restart the id sequences."""
    tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
    with get_engine().begin() as conn:
        if IS_POSTGRES:  # as the database's owner: audit entries are append-only for the service
            conn.execute(text("SET LOCAL session_replication_role = replica"))
        for table in tables:
            conn.execute(table.delete())
        if IS_POSTGRES:
            if not _SEQUENCES:
                _SEQUENCES.extend(
                    conn.execute(
                        text(
                            "SELECT pg_get_serial_sequence(quote_ident(c.table_name), c.column_name) "
                            "FROM information_schema.columns c WHERE c.table_schema = 'public' "
                            "AND c.column_default LIKE 'nextval%' AND c.table_name NOT IN ('user', 'unit')"
                        )
                    ).scalars()
                )
            calls = ", ".join(f"setval('{seq}', 1, false)" for seq in _SEQUENCES)
            conn.execute(text(f"SELECT {calls}"))
        conn.execute(text("UPDATE unit SET last_allocated_seq = 0"))
        conn.execute(User.__table__.update().values(is_active=True))
    shutil.rmtree(os.environ["ENFORCEMENT_AUDIT_CHECKPOINT_DIR"], ignore_errors=True)


@pytest.fixture(autouse=True)
def _clean_database(database: str) -> Iterator[None]:
    yield
    _empty_tables()


@pytest.fixture(scope="session")
def app(database: str):  # noqa: ANN201
    from app.main import create_app

    return create_app()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def user_ids(database: str) -> dict[str, int]:
    with session_scope(read_only=True) as session:
        return {u.username: u.id for u in session.query(User)}


@pytest.fixture
def auth(user_ids: dict[str, int]) -> Auth:
    """``auth("brigade1-judge")`` → headers with a valid bearer token for that demo user."""
    from app.security import create_access_token

    def headers(username: str, **extra: str) -> dict[str, str]:
        token = create_access_token(user_id=user_ids[username], username=username)
        return {"Authorization": f"Bearer {token}", **extra}

    return headers


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The deadline events the services report (``app.services.deadline_events.record_event``), in
    order, collected instead of reaching the clocks."""
    from app.services import deadline_events

    seen: list[dict[str, Any]] = []
    unsaid = {"params": (None, {}), "actor": (None,)}  # record_event's defaults: as if left out

    def record(session: Session, **event: Any) -> None:
        seen.append({name: value for name, value in event.items() if value not in unsaid.get(name, ())})

    monkeypatch.setattr(deadline_events, "record_event", record)
    return seen
