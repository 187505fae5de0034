"""The event relay: events per second through it to a webhook receiver, and the latency from a
change's commit to its delivery (issue 16).

    python -m bench.events --database-url postgresql+psycopg://postgres@127.0.0.1:5432/enf_bench_events \\
        [--events 3000 --relays 1,2 --rate 20 --seconds 15]

Empties the database, builds the schema and seeds the organisation; starts a webhook receiver in
this process (a threaded HTTP server on 127.0.0.1 that checks each signature and notes when each
event arrived) and one subscription to every event type.

- **Throughput**: ``--events`` events are committed first (audited changes written in transactions
  of 100, as the services write them: the audit chain and the outbox under the head lock), then
  ``python -m app.relay`` processes are started (``--relays``: each count in turn, on a fresh
  backlog) and timed until the receiver has every event: deliveries per second through the relay.
- **Latency**: one relay runs (polling every ``--poll-seconds`` when idle) while this process commits
  one event at a time at ``--rate`` per second for ``--seconds``; each event's latency is its arrival
  at the receiver minus its ``occurred_at`` (stamped just before its transaction commits).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any

from bench import harness
from bench.load import percentile

BATCH = 100
SECRET = secrets.token_urlsafe(32)


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # a relay opens many connections at once; the default backlog is 5
    daemon_threads = True


class Receiver:
    """Counts the deliveries it gets, with the arrival time of each event's first one."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.deliveries = 0
        self.forged = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 - the http.server interface
                body = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.time()
                parts = dict(p.split("=", 1) for p in self.headers["Enforcement-Signature"].split(","))
                mac = hmac.new(SECRET.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
                with receiver.lock:
                    receiver.deliveries += 1
                    if not hmac.compare_digest(mac, parts["v1"]):
                        receiver.forged += 1
                    receiver.arrived.setdefault(self.headers["Enforcement-Event-Id"], now)
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self) -> int:
        with self.lock:
            return len(self.arrived)


def commit_events(count: int, *, per_transaction: int, first: int) -> None:
    from app.database import session_scope
    from app.services import audit

    for start in range(first, first + count, per_transaction):
        with session_scope() as session:
            for n in range(start, min(start + per_transaction, first + count)):
                audit.record(
                    session,
                    actor=None,
                    action="case.filed",
                    entity_type="case",
                    entity_id=n,
                    after={"case_number": f"（2026）豫0104执{n}号", "state": "filed"},
                )


def occurred_at_by_event() -> dict[str, datetime]:
    from sqlalchemy import select

    from app.database import session_scope
    from app.models.outbox_event import OutboxEvent

    with session_scope(read_only=True) as session:
        return {
            row.event_id: row.occurred_at
            for row in session.execute(select(OutboxEvent.event_id, OutboxEvent.occurred_at))
        }


def start_relays(count: int, env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    harness.OUT.mkdir(parents=True, exist_ok=True)
    relays = []
    for n in range(count):
        with (harness.OUT / f"relay-{n}.log").open("ab") as log:
            relays.append(
                subprocess.Popen(
                    [sys.executable, "-m", "app.relay"], cwd=harness.ROOT, env=env, stdout=log, stderr=log
                )
            )
    return relays


def stop(relays: list[subprocess.Popen[bytes]]) -> None:
    for relay in relays:
        if relay.poll() is None:
            relay.send_signal(signal.SIGTERM)
    for relay in relays:
        try:
            relay.wait(30)
        except subprocess.TimeoutExpired:
            relay.kill()
            relay.wait()


def wait_until(condition: Any, timeout_s: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise SystemExit(f"timed out after {timeout_s:.0f} s")
        time.sleep(0.01)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.events",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--database-url", required=True, help="a local PostgreSQL database whose name has 'bench'"
    )
    parser.add_argument("--events", type=int, default=3000, help="backlog for the throughput runs")
    parser.add_argument("--relays", default="1,2", help="relay process counts to time, comma-separated")
    parser.add_argument("--rate", type=float, default=20.0, help="events per second in the latency run")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the latency run")
    parser.add_argument(
        "--poll-seconds", type=float, default=0.25, help="the relay's idle poll in the latency run"
    )
    parser.add_argument("--no-results", action="store_true", help="print only; do not append to RESULTS.md")
    args = parser.parse_args(argv)
    harness.require_bench_database(args.database_url)
    env = harness.server_environment(args.database_url, harness.free_port(), harness.new_jwt_secret())
    env["ENFORCEMENT_AUDIT_ANCHOR_KEY"] = secrets.token_urlsafe(48)
    os.environ.update(env)
    schema = harness.fresh_schema(args.database_url)
    machine = harness.machine_description(args.database_url)
    harness.seed_organisation(args.database_url)

    from sqlalchemy import select

    from app.database import session_scope
    from app.models.user import User
    from app.services import webhooks
    from app.services.session_listeners import install_session_listeners

    install_session_listeners()
    receiver = Receiver()
    with session_scope() as session:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        webhooks.subscribe(
            session, user=admin, url=receiver.url, event_types=[], secret=SECRET, description="bench"
        )

    throughput = []
    written = 0
    for count in [int(c) for c in args.relays.split(",")]:
        started = time.monotonic()
        commit_events(args.events, per_transaction=BATCH, first=written + 1)
        commit_s = time.monotonic() - started
        target = written + args.events
        written = target
        print(
            f"{args.events} events committed in {commit_s:.1f} s; {count} relay(s) delivering …", flush=True
        )
        relays = start_relays(count, env)
        try:
            took = wait_until(lambda t=target: receiver.count() >= t, 600)  # type: ignore[misc]
        finally:
            stop(relays)
        throughput.append((count, args.events, took, args.events / commit_s))

    print(f"latency: {args.rate:g} events/s for {args.seconds:g} s …", flush=True)
    relays = start_relays(1, env | {"ENFORCEMENT_EVENTS_POLL_SECONDS": str(args.poll_seconds)})
    latency_from = written
    try:
        time.sleep(2)  # the relay is up and idle
        interval = 1 / args.rate
        ends = time.monotonic() + args.seconds
        next_at = time.monotonic()
        while time.monotonic() < ends:
            commit_events(1, per_transaction=1, first=written + 1)
            written += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.monotonic()))
        wait_until(lambda: receiver.count() >= written, 120)
    finally:
        stop(relays)
    occurred = occurred_at_by_event()
    arrived = dict(receiver.arrived)
    late = sorted(
        (arrived[e] - o.timestamp()) * 1000
        for e, o in sorted(occurred.items(), key=lambda i: i[1])[latency_from:]
    )
    receiver.server.shutdown()

    lines = harness.section_head("Event relay: throughput and commit-to-delivery latency", machine)
    lines += [
        f"Schema: {schema}. One webhook subscription to every type; the receiver (in the benchmark's "
        "process, a threaded `http.server`) checks each signature and answers 204 at once. Relay settings "
        f"as shipped (100 deliveries a round, timeout 10 s) unless named; the backlog is committed {BATCH} "
        "events a transaction.",
        "",
        "| relays | events | delivered in s | events/s through the relay | events/s committed (for "
        "comparison) |",
        "|---|---|---|---|---|",
    ]
    lines += [f"| {c} | {n} | {t:.1f} | {n / t:.0f} | {w:.0f} |" for c, n, t, w in throughput]
    lines += [
        "",
        f"Commit → delivery latency: {len(late)} events committed one per transaction at {args.rate:g}/s for "
        f"{args.seconds:g} s, one relay polling every {args.poll_seconds:g} s when idle; latency is the "
        "receiver's arrival time minus the event's `occurred_at` (taken just before the commit).",
        "",
        "| p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|",
        " | ".join(["", *(f"{percentile(late, p):.0f}" for p in (50, 95, 99)), f"{max(late):.0f} |"]).strip(),
        "",
        f"- deliveries received {receiver.deliveries} for {len(arrived)} events (repeats: "
        f"{receiver.deliveries - len(arrived)}), signatures failing: {receiver.forged}",
    ]
    section = "\n".join(lines)
    print(section)
    if not args.no_results:
        harness.append_results(section)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
