"""Bulk intake: a CSV export through ``scripts/file_cases.py`` into the service, against a bare bulk
insert of the same rows, in one run, on one PostgreSQL database.

    python -m bench.bulk_intake --database-url postgresql+psycopg://postgres@127.0.0.1:5432/enf_bench_bulk \\
        [--cases 100000 --batch-size 1000]

1. Empties the database, builds the schema (``alembic upgrade head``), seeds units and demo users,
   and writes a CSV export of ``--cases`` cases (two parties and a property clue each, ID numbers
   with valid check characters) to ``bench/out/``.
2. Bare bulk insert: the same CSV read with the ``csv`` module and stored without any rule, one
   multi-row INSERT per table (case, party, clue; ``bench_bulk_*`` tables in the same database) per
   1,000 cases, a commit per 1,000 cases.
3. The service (``python -m app.serve``, ``--workers``, default one per core, production settings)
   and the filing script (``scripts/file_cases.py`` as filing-bot, batches of ``--batch-size``) run
   as the court would run them; their RSS and CPU are sampled throughout. Every case is checked to
   be filed.
4. Reports wall time, cases/s, the ratio service / bare (target ≥ 0.25), the 2-minute target for
   100,000 cases, peak RSS (target < 300 MB each) and appends a dated section to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Column
from sqlalchemy import Date
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import Numeric
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text

from app.database import build_engine
from bench import harness
from bench.api_overhead import filing_day
from scripts.file_cases import CSV_COLUMNS

TARGET_RATIO = 0.25
TARGET_SECONDS_PER_100K = 120.0
TARGET_RSS_MB = 300.0
BARE_CHUNK = 1000

_bare = MetaData()
BARE_CASE = Table(
    "bench_bulk_case",
    _bare,
    Column("id", Integer, primary_key=True),
    Column("case_number", String(64), nullable=False, unique=True),
    Column("filed_on", Date, nullable=False),
    Column("category", String(40), nullable=False),
    Column("claim_amount", Numeric(18, 2)),
    Column("state", String(20), nullable=False),
)
BARE_PARTY = Table(
    "bench_bulk_party",
    _bare,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("bench_bulk_case.id"), nullable=False, index=True),
    Column("role", String(20), nullable=False),
    Column("name", String(200), nullable=False),
    Column("party_type", String(40), nullable=False),
    Column("id_number", String(32)),
    Column("respondent_class", String(40)),
)
BARE_CLUE = Table(
    "bench_bulk_clue",
    _bare,
    Column("id", Integer, primary_key=True),
    Column("case_id", ForeignKey("bench_bulk_case.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("description", String(2000), nullable=False),
)


@dataclass
class Timed:
    seconds: float
    cases: int
    rss_mb: dict[str, float]
    cpu_cores: dict[str, float]

    @property
    def per_s(self) -> float:
        return self.cases / self.seconds if self.seconds else 0.0


def write_export(path: Path, cases: int, filed_on: dt.date) -> None:
    """One row per case: an applicant (natural person), a respondent (enterprise) and a clue."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(CSV_COLUMNS)
        for serial in range(1, cases + 1):
            writer.writerow(
                [
                    f"（{filed_on.year}）豫0104执{serial}号",
                    filed_on.isoformat(),
                    "civil_commercial",
                    f"{50_000 + serial % 900_000}.00",
                    "",
                    f"申请人{serial}",
                    "natural_person",
                    harness.resident_id(serial),
                    f"郑州某某贸易有限公司{serial}",
                    "legal_person",
                    harness.uscc(serial),
                    "enterprise",
                    "bank_deposit",
                    "中国工商银行郑州管城支行账户",
                ]
            )


def bare_bulk_insert(url: str, export: Path) -> Timed:
    """The least a bulk load can do: no rules, one multi-row INSERT per table per 1,000 cases, with
    the service's own engine (``build_engine``: the same pool and INSERT page settings)."""
    engine = build_engine(url)
    try:
        _bare.drop_all(engine)
        _bare.create_all(engine)
        started, cpu_before, pg_before = (
            time.perf_counter(),
            time.process_time(),
            harness.postgres_cpu_seconds(),
        )
        filed = 0
        with export.open(encoding="utf-8", newline="") as f:
            chunk: list[dict[str, str]] = []
            for row in csv.DictReader(f):
                chunk.append(row)
                if len(chunk) == BARE_CHUNK:
                    filed += _insert_chunk(engine, chunk)
                    chunk = []
            if chunk:
                filed += _insert_chunk(engine, chunk)
        seconds = time.perf_counter() - started
        cores = {
            "bench": (time.process_time() - cpu_before) / seconds,
            "postgres": (harness.postgres_cpu_seconds() - pg_before) / seconds,
        }
        return Timed(seconds, filed, {"bench process": harness.rss_bytes(os.getpid()) / 2**20}, cores)
    finally:
        engine.dispose()


def _insert_chunk(engine, rows: list[dict[str, str]]) -> int:  # noqa: ANN001
    """One INSERT per table for the chunk: SQLAlchemy sends a list of rows as multi-row
    ``INSERT … VALUES (…), (…) RETURNING`` statements (insertmanyvalues), as the service does."""
    with engine.begin() as conn:
        ids = conn.execute(
            insert(BARE_CASE).returning(BARE_CASE.c.id, sort_by_parameter_order=True),
            [
                {
                    "case_number": r["case_number"],
                    "filed_on": dt.date.fromisoformat(r["filed_on"]),
                    "category": r["category"],
                    "claim_amount": Decimal(r["claim_amount"]),
                    "state": "filed",
                }
                for r in rows
            ],
        ).scalars()
        cases = list(zip(ids, rows, strict=True))
        parties = [
            {
                "case_id": case_id,
                "role": role,
                "name": r[f"{role}_name"],
                "party_type": r[f"{role}_type"],
                "id_number": r[f"{role}_id_number"],
                "respondent_class": r["respondent_class"] if role == "respondent" else None,
            }
            for case_id, r in cases
            for role in ("applicant", "respondent")
        ]
        conn.execute(insert(BARE_PARTY).returning(BARE_PARTY.c.id, sort_by_parameter_order=True), parties)
        clues = [
            {"case_id": case_id, "kind": r["clue_kind"], "description": r["clue_description"]}
            for case_id, r in cases
        ]
        conn.execute(insert(BARE_CLUE).returning(BARE_CLUE.c.id, sort_by_parameter_order=True), clues)
    return len(rows)


def service_import(args: argparse.Namespace, export: Path) -> Timed:
    """The filing script against the service, both as separate processes, RSS sampled."""
    workers = {"ENFORCEMENT_WORKERS": str(args.workers)}
    with harness.Server(
        "bulk-service", "app.serve", database_url=args.database_url, extra_env=workers
    ) as server:
        command = [
            sys.executable,
            "scripts/file_cases.py",
            str(export),
            "--user",
            "filing-bot",
            "--base-url",
            server.base_url,
            "--batch-size",
            str(args.batch_size),
            "--no-progress",
            "--timeout",
            "600",
        ]
        env = os.environ | {"ENFORCEMENT_FILING_PASSWORD": harness.DEMO_PASSWORD}
        time.sleep(1.0)  # the workers answer /healthz once all are up; let each finish starting
        tree = harness.process_tree(server.pid)
        service_cpu_before = sum(harness.cpu_seconds(pid) for pid in tree)
        started, pg_before = time.perf_counter(), harness.postgres_cpu_seconds()
        children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        log = (harness.OUT / "bulk-script.log").open("wb")
        try:
            script = subprocess.Popen(
                command, cwd=harness.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            with contextlib.ExitStack() as sampling:
                server_rss = [sampling.enter_context(harness.RssSampler(pid)) for pid in tree]
                script_rss = sampling.enter_context(harness.RssSampler(script.pid))
                machine = sampling.enter_context(harness.CpuWindow(server.pid))
                code = script.wait(args.time_limit)
                service_cpu = sum(harness.cpu_seconds(pid) for pid in tree) - service_cpu_before
        finally:
            log.close()
        seconds = time.perf_counter() - started
        pg_cores = (harness.postgres_cpu_seconds() - pg_before) / seconds
        children = resource.getrusage(resource.RUSAGE_CHILDREN)  # the script, once it has exited
        script_cpu = (children.ru_utime + children.ru_stime) - (
            children_before.ru_utime + children_before.ru_stime
        )
    output = (harness.OUT / "bulk-script.log").read_text(encoding="utf-8", errors="replace")
    if code != 0:
        raise SystemExit(f"the filing script exited with {code}:\n{output[-2000:]}")
    print(output.strip(), flush=True)
    return Timed(
        seconds,
        args.cases,
        {"service": max(sampler.max_mb for sampler in server_rss), "script": script_rss.max_mb},
        {
            "service": service_cpu / seconds,
            "script": script_cpu / seconds,
            "postgres": pg_cores,
            "machine": machine.machine_share * (os.cpu_count() or 1),
        },
    )


def filed_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                table: conn.execute(select(func.count()).select_from(text(f'"{table}"'))).scalar_one()
                for table in ("case", "party", "property_clue", "deadline", "audit_entry")
            }
    finally:
        engine.dispose()


def _per_thousand(run: Timed, names: tuple[str, ...]) -> str:
    return ", ".join(f"{name} {run.cpu_cores[name] * run.seconds * 1000 / run.cases:.2f}" for name in names)


def report(
    args: argparse.Namespace,
    bare: Timed,
    service: Timed,
    counts: dict[str, int],
    schema_note: str,
    machine: dict[str, str],
) -> str:
    ratio = service.per_s / bare.per_s if bare.per_s else 0.0
    per_100k = service.seconds * 100_000 / service.cases
    rows = [
        "| run | cases | seconds | cases/s | peak RSS MB |",
        "|---|---:|---:|---:|---|",
        f"| bare bulk INSERT (1 process, {BARE_CHUNK} cases per INSERT per table) | {bare.cases:,} | "
        f"{bare.seconds:.1f} | {bare.per_s:,.0f} | bench {bare.rss_mb['bench process']:.0f} |",
        f"| service ({args.workers} workers) + filing script (batches of {args.batch_size}) | "
        f"{service.cases:,} | "
        f"{service.seconds:.1f} | {service.per_s:,.0f} | "
        f"service {service.rss_mb['service']:.0f}, script {service.rss_mb['script']:.0f} |",
    ]
    verdicts = [
        f"- service / bare: {ratio:.2f} (target ≥ {TARGET_RATIO}): "
        f"**{'meets' if ratio >= TARGET_RATIO else 'misses'}**",
        f"- 100,000 cases take {per_100k:.0f} s at this rate (target < {TARGET_SECONDS_PER_100K:.0f} s): "
        f"**{'meets' if per_100k < TARGET_SECONDS_PER_100K else 'misses'}**",
        f"- peak RSS: service {service.rss_mb['service']:.0f} MB (largest process), "
        f"script {service.rss_mb['script']:.0f} MB "
        f"(target < {TARGET_RSS_MB:.0f} MB each): "
        f"**{'meets' if max(service.rss_mb.values()) < TARGET_RSS_MB else 'misses'}**",
        f"- CPU during the import (cores): service {service.cpu_cores['service']:.2f}, script "
        f"{service.cpu_cores['script']:.2f}, PostgreSQL {service.cpu_cores['postgres']:.2f}, whole machine "
        f"{service.cpu_cores['machine']:.2f} of {os.cpu_count()} (other users' work included); during the "
        f"bare insert: its process {bare.cpu_cores['bench']:.2f}, "
        f"PostgreSQL {bare.cpu_cores['postgres']:.2f}",
        "- CPU seconds per 1,000 cases: "
        + _per_thousand(service, ("service", "script", "postgres"))
        + "; bare: "
        + _per_thousand(bare, ("bench", "postgres")),
        "- rows after the import: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()),
    ]
    return "\n".join(
        [
            *harness.section_head(
                "Bulk intake through the filing script against a bare bulk insert", machine
            ),
            f"Setup: a CSV of {args.cases:,} cases (two parties and a property clue each); the bare insert "
            "reads it and stores it with no rule; then `python -m app.serve` "
            f"({args.workers} worker(s), log level WARNING, "
            "production settings) and `scripts/file_cases.py` as filing-bot run as separate processes on "
            f"the same machine and database. Schema: {schema_note}.",
            "",
            *rows,
            "",
            *verdicts,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", required=True, help="PostgreSQL database to wipe; name contains 'bench'"
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=1000, help="the filing script's --batch-size")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="the service's worker processes (default nproc)",
    )
    parser.add_argument("--time-limit", type=float, default=1800.0, help="seconds the import may take")
    harness.add_quiet_arguments(parser)
    parser.add_argument("--no-results", dest="write_results", action="store_false", help="print only")
    args = parser.parse_args()
    harness.require_bench_database(args.database_url)

    print("preparing the database …", flush=True)
    schema_note = harness.fresh_schema(args.database_url)
    harness.seed_organisation(args.database_url)
    harness.OUT.mkdir(parents=True, exist_ok=True)
    export = harness.OUT / f"bulk-{args.cases}.csv"
    write_export(export, args.cases, filing_day())
    export.with_name(export.name + ".progress").unlink(missing_ok=True)
    machine = harness.machine_description(args.database_url)
    machine["machine state"] = harness.wait_for_quiet_machine(args.quiet_load, args.quiet_wait)

    print("bare bulk insert …", flush=True)
    bare = bare_bulk_insert(args.database_url, export)
    print(f"bare: {bare.cases:,} cases in {bare.seconds:.1f} s ({bare.per_s:,.0f}/s)", flush=True)
    print("service + filing script …", flush=True)
    service = service_import(args, export)
    print(f"service: {service.cases:,} cases in {service.seconds:.1f} s ({service.per_s:,.0f}/s)", flush=True)
    counts = filed_counts(args.database_url)
    if counts["case"] != args.cases:
        raise SystemExit(f"{counts['case']} cases filed, not {args.cases}")
    section = report(args, bare, service, counts, schema_note, machine)
    print()
    print(section)
    if args.write_results:
        harness.append_results(section)
        print(f"\nappended to {harness.RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
