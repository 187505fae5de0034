"""Intake latency while failed logins are checked, on SQLite, where one transaction writes at a time.

    python -m bench.login_pressure [--logins 40] [--intakes 20]

One server (``python -m app.serve``, 1 worker) on a fresh SQLite database in a temporary directory.
First ``--intakes`` intakes (``POST /api/v1/cases`` as filing-bot) one after another on a quiet
server; then ``--logins`` failed logins sent at once, each from its own address (``X-Forwarded-For``,
trusted from loopback) for its own unknown username, with intakes sent one after another until the
last login has been answered. Reports the latency of the intakes in each phase and how long the
logins took, and appends the figures to bench/RESULTS.md (``--no-results`` to only print).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench import harness
from bench.api_overhead import filing_day
from bench.api_overhead import intake_body


def _intake_latencies(
    base_url: str, headers: dict[str, str], serials: range, until: threading.Event | None
) -> list[float]:
    """Intakes one after another: ``len(serials)`` of them, or, with ``until``, until it is set."""
    latencies, filed_on = [], filing_day()
    with httpx.Client(base_url=base_url, headers=headers, timeout=120) as http:
        for serial in serials:
            if until is not None and until.is_set():
                break
            started = time.perf_counter()
            response = http.post("/api/v1/cases", json=intake_body(serial, filed_on))
            latencies.append(time.perf_counter() - started)
            if response.status_code != 201:
                raise SystemExit(f"intake answered {response.status_code}: {response.text[:300]}")
    return latencies


def _failed_login(base_url: str, index: int) -> int:
    response = httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"username": f"nobody-{index}", "password": "wrong"},
        headers={"X-Forwarded-For": f"198.18.{index // 250}.{index % 250 + 1}"},
        timeout=300,
    )
    return response.status_code


def _row(phase: str, latencies: list[float]) -> str:
    ms = sorted(1000 * x for x in latencies)
    return f"| {phase} | {len(ms)} | {statistics.median(ms):.0f} | {ms[-1]:.0f} |"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.login_pressure", description=__doc__)
    parser.add_argument("--logins", type=int, default=40, help="failed logins sent at once")
    parser.add_argument("--intakes", type=int, default=20, help="intakes measured on the quiet server")
    parser.add_argument(
        "--password-checks", type=int, help="ENFORCEMENT_LOGIN_CONCURRENT_PASSWORD_CHECKS (default: unset)"
    )
    parser.add_argument("--no-results", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="login-pressure-") as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        env = harness.server_environment(url, 0, harness.new_jwt_secret())
        migrate = [sys.executable, "-m", "alembic", "upgrade", "head"]
        subprocess.run(migrate, cwd=harness.ROOT, env=env, check=True)
        harness.seed_organisation(url)
        machine = harness.machine_description(None)
        checks = {"ENFORCEMENT_LOGIN_CONCURRENT_PASSWORD_CHECKS": str(args.password_checks)}
        extra = checks if args.password_checks else {}
        with harness.Server("login-pressure", "app.serve", database_url=url, extra_env=extra) as server:
            headers = harness.login(server.base_url, "filing-bot")
            quiet = _intake_latencies(server.base_url, headers, range(1, args.intakes + 1), None)
            done = threading.Event()
            started = time.perf_counter()
            with ThreadPoolExecutor(args.logins + 1) as pool:
                serials = range(10_000, 20_000)
                intakes = pool.submit(_intake_latencies, server.base_url, headers, serials, done)
                statuses = list(pool.map(lambda i: _failed_login(server.base_url, i), range(args.logins)))
                logins_took = time.perf_counter() - started
                done.set()
                pressed = intakes.result()
    if set(statuses) != {401}:
        raise SystemExit(f"the failed logins were answered {sorted(set(statuses))}, not all 401")

    section = "\n".join(
        [
            *harness.section_head("Intake while failed logins are checked (SQLite)", machine),
            f"One `app.serve` process (1 worker) on a fresh SQLite database; {args.logins} failed logins "
            f"sent at once from {args.logins} addresses took {logins_took:.1f} s to be answered, while "
            "intakes were sent one after another.",
            "",
            "| phase | intakes | p50 ms | max ms |",
            "|---|---|---|---|",
            _row("quiet server", quiet),
            _row(f"during {args.logins} failed logins", pressed),
        ]
    )
    print(section)
    if not args.no_results:
        harness.append_results(section)


if __name__ == "__main__":
    main()
