"""How many SQL statements one request sends: the bare app's INSERT and read, the service's intake
and case read, counted in-process (FastAPI's TestClient) with a SQLAlchemy ``before_cursor_execute``
listener against the benchmark's database. The pool's pre-ping and the transaction's BEGIN and
COMMIT come on top, alike for every request. Prints one JSON object; used by ``bench.api_overhead``:

    ENFORCEMENT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/enf_bench_api \\
        python -m bench.statements
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy import event

from bench import harness
from bench.api_overhead import bare_body
from bench.api_overhead import filing_day
from bench.api_overhead import intake_body

SERIAL = 999_000_000  # far from the load runs' serials


def _counted(send: Callable[[], object]) -> int:
    count = 0

    def tally(*_args: object) -> None:
        nonlocal count
        count += 1

    event.listen(Engine, "before_cursor_execute", tally)
    try:
        send()
    finally:
        event.remove(Engine, "before_cursor_execute", tally)
    return count


def _ok(response: object, status: int) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]


def main() -> None:
    # No options: the database is the benchmark's, named by ENFORCEMENT_DATABASE_URL (see above).
    argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    ).parse_args()
    from app.main import create_app
    from app.settings import get_settings
    from bench.bare_app import create_bare_app

    url, filed_on = get_settings().database_url, filing_day()
    counts: dict[str, int] = {}
    with TestClient(create_bare_app(url)) as bare:
        created = bare.post("/bare/cases", json=bare_body(SERIAL, filed_on))
        _ok(created, 201)
        counts["bare INSERT"] = _counted(
            lambda: _ok(bare.post("/bare/cases", json=bare_body(SERIAL + 1, filed_on)), 201)
        )
        counts["bare read-by-id"] = _counted(
            lambda: _ok(bare.get(f"/bare/cases/{created.json()['id']}"), 200)
        )
    with TestClient(create_app()) as service:

        def login(username: str) -> dict[str, str]:
            token = service.post(
                "/api/v1/auth/token", data={"username": username, "password": harness.DEMO_PASSWORD}
            )
            return {"Authorization": f"Bearer {token.json()['access_token']}"}

        filer, reader = login("filing-bot"), login("comprehensive")
        case = service.post("/api/v1/cases", json=intake_body(SERIAL, filed_on), headers=filer)
        _ok(case, 201)
        intake = {**filer, "Idempotency-Key": f"statements-{SERIAL + 1}"}
        counts["intake POST /cases"] = _counted(
            lambda: _ok(
                service.post("/api/v1/cases", json=intake_body(SERIAL + 1, filed_on), headers=intake), 201
            )
        )
        counts["GET /cases/{id}"] = _counted(
            lambda: _ok(service.get(f"/api/v1/cases/{case.json()['id']}", headers=reader), 200)
        )
        counts["GET /me"] = _counted(lambda: _ok(service.get("/api/v1/me", headers=reader), 200))
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
