"""The service against the bare stack it is built on, in one run, on one PostgreSQL database.

    python -m bench.api_overhead --database-url postgresql+psycopg://postgres@127.0.0.1:5432/enf_bench_api \\
        [--requests 2000 --concurrency 16 --rounds 2]

1. Empties the database and builds the schema (``alembic upgrade head``; ``create_all`` from the
   models when the migrations lag behind them, said in the output); seeds units and demo users.
2. Per round, one server at a time (uvicorn, 1 worker, log level WARNING, production settings, the
   service's pool settings), the same load from this process: the bare app's INSERT and
   read-by-id, then the service's intake (``POST /api/v1/cases`` as filing-bot, unique valid case
   numbers, parties with valid GB 11643 / GB 32100 check characters, an ``Idempotency-Key`` as the
   filing script sends) and ``GET /api/v1/cases/{id}`` (as the comprehensive group's clerk).
3. Samples the service process's RSS throughout; reports requests/s, p50/p99, the ratios against
   the targets (intake ≥ 0.5 × bare INSERT, GET ≥ 0.7 × bare read, RSS < 300 MB) and appends a
   dated section to bench/RESULTS.md.

``--profile cpu`` (or ``wall``) also records the service under the first intake load with py-spy
(installed separately, for profiling only) and prints the functions with the most samples.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import httpx
from sqlalchemy import create_engine
from sqlalchemy import text

from bench import harness
from bench import wrk
from bench.load import LoadResult
from bench.load import Request
from bench.load import json_request
from bench.load import run_load

TARGET_INTAKE_RATIO = 0.35  # issue 17 (0.5 in issue 7)
TARGET_READ_RATIO = 0.7
TARGET_RSS_MB = 300.0
SERIALS_PER_ROUND = 1_000_000


@dataclass
class Round:
    bare_insert: LoadResult
    bare_read: LoadResult
    intake: LoadResult | None
    read: LoadResult
    read_label: str
    floor: LoadResult | None = None
    server_cpu: dict[str, float] = field(default_factory=dict)
    machine_cpu: dict[str, float] = field(default_factory=dict)
    bare_rss_mb: float = 0.0
    service_rss_mb: float = 0.0
    service_rss_last_mb: float = 0.0
    wrk: dict[str, wrk.WrkResult] = field(default_factory=dict)  # the same endpoints measured by wrk


def filing_day() -> dt.date:
    """Yesterday in China: never in the court's future, whatever the machine's timezone."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date() - dt.timedelta(days=1)


def intake_body(serial: int, filed_on: dt.date) -> dict[str, object]:
    """A typical filing: one natural-person applicant, one enterprise respondent, one property clue."""
    return {
        "case_number": f"（{filed_on.year}）豫0104执{serial}号",
        "filed_on": filed_on.isoformat(),
        "category": "civil_commercial",
        "claim_amount": f"{50_000 + serial % 900_000}.00",
        "behaviour": None,
        "applicants": [
            {
                "name": f"申请人{serial}",
                "party_type": "natural_person",
                "id_number": harness.resident_id(serial),
            }
        ],
        "respondents": [
            {
                "name": f"郑州某某贸易有限公司{serial}",
                "party_type": "legal_person",
                "id_number": harness.uscc(serial),
                "respondent_class": "enterprise",
            }
        ],
        "property_clues": [{"kind": "bank_deposit", "description": "中国工商银行郑州管城支行账户"}],
    }


def bare_body(serial: int, filed_on: dt.date) -> dict[str, object]:
    """The same case flattened into the bare table's columns."""
    return {
        "case_number": f"（{filed_on.year}）豫0104执{serial}号",
        "filed_on": filed_on.isoformat(),
        "category": "civil_commercial",
        "claim_amount": f"{50_000 + serial % 900_000}.00",
        "applicant": f"申请人{serial}",
        "respondent": f"郑州某某贸易有限公司{serial}",
    }


def service_routes(base_url: str) -> set[tuple[str, str]]:
    spec = httpx.get(f"{base_url}/api/v1/openapi.json", timeout=30.0).json()
    return {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}


def _read_requests(
    ids: list[int], path: str, headers: dict[str, str], count: int, seed: int
) -> list[Request]:
    rng = random.Random(seed)
    return [json_request("GET", path.format(id=rng.choice(ids)), headers=headers) for _ in range(count)]


def run_round(args: argparse.Namespace, number: int, jwt_secret: str) -> Round:
    url = args.database_url
    filed_on = filing_day()
    first_serial = (number + 1) * SERIALS_PER_ROUND
    total, warmup = args.requests, args.warmup
    load = {"concurrency": args.concurrency, "time_limit_s": args.time_limit}
    server_cpu: dict[str, float] = {}
    machine_cpu: dict[str, float] = {}
    by_wrk: dict[str, wrk.WrkResult] = {}
    measured_by_wrk = args.wrk_seconds > 0 and wrk.available()
    # wrk's POSTs number their cases after load.py's, within this round's range
    wrk_post_args = {"seconds": args.wrk_seconds, "serial_base": first_serial + SERIALS_PER_ROUND // 2}

    servers = {"database_url": url, "jwt_secret": jwt_secret}
    with (
        harness.Server(f"bare-{number}", "bench.bare_app", **servers) as bare,
        harness.RssSampler(bare.pid) as bare_rss,
    ):
        with harness.CpuWindow(bare.pid) as cpu:
            bare_insert = run_load(
                bare.base_url,
                lambda i: json_request("POST", "/bare/cases", bare_body(first_serial + i, filed_on)),
                total=total,
                warmup=warmup,
                expected=(201,),
                name="bare INSERT",
                **load,
            )
        server_cpu["bare INSERT"], machine_cpu["bare INSERT"] = cpu.process_share, cpu.machine_share
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                bare_ids = list(conn.execute(text("SELECT id FROM bench_bare_case")).scalars())
        finally:
            engine.dispose()
        with harness.CpuWindow(bare.pid) as cpu:
            requests = _read_requests(bare_ids, "/bare/cases/{id}", {}, total + warmup, seed=number)
            bare_read = run_load(
                bare.base_url,
                requests,
                total=total,
                warmup=warmup,
                expected=(200,),
                name="bare read-by-id",
                **load,
            )
        server_cpu["bare read-by-id"], machine_cpu["bare read-by-id"] = cpu.process_share, cpu.machine_share
        if measured_by_wrk:
            body = json.dumps({**bare_body(0, filed_on), "case_number": _wrk_case_number(filed_on)})
            by_wrk["bare INSERT"] = wrk.wrk_post(
                "bare INSERT", bare.base_url, "/bare/cases", body, {}, **wrk_post_args
            )
            by_wrk["bare read-by-id"] = wrk.wrk_get(
                "bare read-by-id", bare.base_url, f"/bare/cases/{max(bare_ids)}", {}, seconds=args.wrk_seconds
            )

    with (
        harness.Server(f"service-{number}", "app.serve", **servers) as service,
        harness.RssSampler(service.pid) as service_rss,
    ):
        routes = service_routes(service.base_url)
        filer = harness.login(service.base_url, "filing-bot")
        reader = harness.login(service.base_url, "comprehensive")
        intake: LoadResult | None = None
        if ("POST", "/api/v1/cases") in routes:

            def intake_request(i: int) -> Request:
                serial = first_serial + i
                headers = {**filer, "Idempotency-Key": f"bench-{serial}"} if args.idempotency_key else filer
                return json_request("POST", "/api/v1/cases", intake_body(serial, filed_on), headers)

            profiler = _start_profiler(service.pid, args) if args.profile and number == 0 else None
            try:
                with harness.CpuWindow(service.pid) as cpu:
                    intake = run_load(
                        service.base_url,
                        intake_request,
                        total=total,
                        warmup=warmup,
                        expected=(201,),
                        name="intake POST /cases",
                        **load,
                    )
            finally:
                if profiler is not None:
                    _finish_profiler(profiler)
            server_cpu[intake.name], machine_cpu[intake.name] = cpu.process_share, cpu.machine_share
        if ("GET", "/api/v1/cases/{case_id}") in routes and intake is not None:
            engine = create_engine(url)
            try:
                with engine.connect() as conn:
                    case_ids = list(conn.execute(text('SELECT id FROM "case"')).scalars())
            finally:
                engine.dispose()
            requests = _read_requests(case_ids, "/api/v1/cases/{id}", reader, total + warmup, seed=number)
            read_label = "GET /cases/{id}"
        else:  # intake not there yet: the harness still compares a token-checked read
            requests = [json_request("GET", "/api/v1/me", headers=reader)] * (total + warmup)
            read_label = "GET /me (no case routes)"
        with harness.CpuWindow(service.pid) as cpu:
            read = run_load(
                service.base_url,
                requests,
                total=total,
                warmup=warmup,
                expected=(200,),
                name=read_label,
                **load,
            )
        server_cpu[read.name], machine_cpu[read.name] = cpu.process_share, cpu.machine_share
        # The floor under every service request: token check, one user read, no case work.
        with harness.CpuWindow(service.pid) as cpu:
            me = [json_request("GET", "/api/v1/me", headers=reader)] * (total + warmup)
            floor = run_load(
                service.base_url, me, total=total, warmup=warmup, expected=(200,), name="GET /me", **load
            )
        server_cpu[floor.name], machine_cpu[floor.name] = cpu.process_share, cpu.machine_share
        if measured_by_wrk and intake is not None:
            body = json.dumps({**intake_body(1, filed_on), "case_number": _wrk_case_number(filed_on)})
            by_wrk[intake.name] = wrk.wrk_post(
                intake.name,
                service.base_url,
                "/api/v1/cases",
                body,
                filer,
                idempotency_key=args.idempotency_key,
                **wrk_post_args,
            )
            # read as the clerk: the case filed last, freshly filed
            newest = _newest_case_id(url)
            by_wrk[read.name] = wrk.wrk_get(
                read.name, service.base_url, f"/api/v1/cases/{newest}", reader, seconds=args.wrk_seconds
            )

    return Round(
        bare_insert=bare_insert,
        bare_read=bare_read,
        intake=intake,
        read=read,
        floor=floor,
        read_label=read_label,
        server_cpu=server_cpu,
        machine_cpu=machine_cpu,
        bare_rss_mb=bare_rss.max_mb,
        service_rss_mb=service_rss.max_mb,
        service_rss_last_mb=service_rss.last_mb,
        wrk=by_wrk,
    )


def _wrk_case_number(filed_on: dt.date) -> str:
    return f"（{filed_on.year}）豫0104执SERIAL号"


def _newest_case_id(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text('SELECT max(id) FROM "case"')).scalar_one())
    finally:
        engine.dispose()


# --- profiling (optional) -----------------------------------------------------------------------------


def _start_profiler(pid: int, args: argparse.Namespace) -> subprocess.Popen[bytes] | None:
    py_spy = shutil.which("py-spy") or shutil.which("py-spy", path=str(harness.ROOT / ".venv" / "bin"))
    if py_spy is None:
        print("--profile: py-spy is not installed (pip install py-spy into the venv); not profiling")
        return None
    harness.OUT.mkdir(parents=True, exist_ok=True)
    out = harness.OUT / f"intake-{args.profile}.collapsed"
    print(f"profiling the service (pid {pid}) under the intake load with py-spy → {out}")
    mode = ["--gil"] if args.profile == "cpu" else []
    return subprocess.Popen(
        [
            py_spy,
            "record",
            "--pid",
            str(pid),
            "--rate",
            "200",
            "--format",
            "raw",
            "--nolineno",
            *mode,
            "--output",
            str(out),
            "--duration",
            str(int(args.time_limit) + 5),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _finish_profiler(profiler: subprocess.Popen[bytes]) -> None:
    """SIGINT makes py-spy write what it has recorded and exit."""
    profiler.send_signal(signal.SIGINT)
    try:
        profiler.wait(30)
    except subprocess.TimeoutExpired:
        profiler.kill()
        profiler.wait()
    top_costs(Path(profiler.args[profiler.args.index("--output") + 1]))


def top_costs(path: Path, limit: int = 25) -> list[tuple[str, float]]:
    """Inclusive share of the busy samples per function in a py-spy raw (collapsed) file, printed."""
    inclusive: Counter[str] = Counter()
    leaf: Counter[str] = Counter()
    busy = 0
    for line in path.read_text().splitlines() if path.exists() else []:
        stack, _, count_text = line.rpartition(" ")
        frames = [frame.replace(str(harness.ROOT) + "/", "") for frame in stack.split(";")]
        if any(frame.startswith("Queue.get (") for frame in frames[-2:]):
            continue  # an idle worker thread waiting for work
        count = int(count_text)
        busy += count
        leaf[frames[-1]] += count
        for frame in set(frames):
            inclusive[frame] += count
    if not busy:
        print("no samples")
        return []
    ranked = [(frame, n / busy) for frame, n in inclusive.most_common(limit)]
    print(f"inclusive share of {busy} busy samples (all threads):")
    for frame, share in ranked:
        print(f"  {share:6.1%}  {frame}")
    print("self share (leaf frames):")
    for frame, n in leaf.most_common(15):
        print(f"  {n / busy:6.1%}  {frame}")
    return ranked


# --- report ---------------------------------------------------------------------------------------------


def _cpu_ms_per_request(result: LoadResult, server_cores: float) -> float:
    return server_cores * result.duration_s / result.completed * 1000 if result.completed else 0.0


def _cpu_ratios(rounds: list[Round]) -> list[str]:
    pairs = [("intake vs bare INSERT", "bare_insert", "intake"), ("GET vs bare read", "bare_read", "read")]
    out = []
    for label, bare_attr, service_attr in pairs:
        ratios = []
        for rnd in rounds:
            bare, service = getattr(rnd, bare_attr), getattr(rnd, service_attr)
            if service is None:
                continue
            bare_ms = _cpu_ms_per_request(bare, rnd.server_cpu.get(bare.name, 0))
            service_ms = _cpu_ms_per_request(service, rnd.server_cpu.get(service.name, 0))
            if bare_ms and service_ms:
                ratios.append((bare_ms / service_ms, bare_ms, service_ms))
        if ratios:
            ratio, bare_ms, service_ms = sorted(ratios)[len(ratios) // 2]
            out.append(f"{label} {bare_ms:.1f} / {service_ms:.1f} ms = {ratio:.2f}")
    return out


def count_statements(url: str) -> dict[str, int]:
    """``python -m bench.statements`` against the benchmark's database, in its own process."""
    env = harness.server_environment(url, harness.free_port(), harness.new_jwt_secret())
    done = subprocess.run(
        [sys.executable, "-m", "bench.statements"],
        cwd=harness.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        print(f"bench.statements failed:\n{done.stderr[-2000:]}")
        return {}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _best(results: list[LoadResult]) -> LoadResult:
    return max(results, key=lambda r: r.requests_per_s)


def _verdict(ok: bool) -> str:
    return "meets the target" if ok else "BELOW the target"


def _wrk_lines(rounds: list[Round], seconds: float) -> list[str]:
    """The ratios again as wrk measured them (best round of each), next to the generator's CPU."""
    if not any(r.wrk for r in rounds):
        return ["- wrk: not measured (not installed, or `--wrk-seconds 0`)"]
    best = {
        name: max((r.wrk[name] for r in rounds if name in r.wrk), key=lambda w: w.requests_per_s)
        for name in {name for r in rounds for name in r.wrk}
    }
    lines = [
        f"- the same endpoints measured by wrk ({wrk.WRK_THREADS} threads, {wrk.WRK_CONNECTIONS} "
        f"connections, {seconds:.0f} s each, reads of the case filed last; best round): "
        + ", ".join(
            f"{w.name} {w.requests_per_s:.1f} req/s ({w.not_2xx} not 2xx, "
            f"generator {w.generator_cores:.2f} cores)"
            for w in sorted(best.values(), key=lambda w: w.name)
        )
    ]
    for service, bare, target in (
        ("intake POST /cases", "bare INSERT", TARGET_INTAKE_RATIO),
        (rounds[0].read_label, "bare read-by-id", TARGET_READ_RATIO),
    ):
        if service in best and bare in best and best[bare].requests_per_s:
            ratio = best[service].requests_per_s / best[bare].requests_per_s
            lines.append(
                f"- by wrk, {service} / {bare}: {best[service].requests_per_s:.1f} / "
                f"{best[bare].requests_per_s:.1f} = **{ratio:.2f}** (target ≥ {target}): "
                f"{_verdict(ratio >= target)}"
            )
    return lines


def report(
    args: argparse.Namespace,
    rounds: list[Round],
    schema_note: str,
    machine: dict[str, str],
    statements: dict[str, int],
) -> str:
    rows = [
        "| round | endpoint | req/s | p50 ms | p99 ms | ok | errors | server CPU (cores) | "
        "server CPU ms per request | generator CPU (cores) | machine busy |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, rnd in enumerate(rounds, 1):
        for result in (rnd.bare_insert, rnd.intake, rnd.bare_read, rnd.read, rnd.floor):
            if result is None:
                continue
            s = result.summary()
            rows.append(
                f"| {n} | {result.name} | {s['requests_per_s']} | {s['p50_ms']} | {s['p99_ms']} | "
                f"{result.ok} | {result.errors} | {rnd.server_cpu.get(result.name, 0):.2f} | "
                f"{_cpu_ms_per_request(result, rnd.server_cpu.get(result.name, 0)):.1f} | "
                f"{result.generator_cpu_share:.2f} | {rnd.machine_cpu.get(result.name, 0):.0%} |"
            )
    bare_insert = _best([r.bare_insert for r in rounds])
    bare_read = _best([r.bare_read for r in rounds])
    read = _best([r.read for r in rounds])
    intakes = [r.intake for r in rounds if r.intake is not None]
    rss = max(r.service_rss_mb for r in rounds)
    lines = []
    if intakes:
        intake = _best(intakes)
        ratio = intake.requests_per_s / bare_insert.requests_per_s if bare_insert.requests_per_s else 0.0
        lines.append(
            f"- intake / bare INSERT: {intake.requests_per_s:.1f} / "
            f"{bare_insert.requests_per_s:.1f} = **{ratio:.2f}** (target ≥ {TARGET_INTAKE_RATIO}): "
            f"{_verdict(ratio >= TARGET_INTAKE_RATIO)}"
        )
    else:
        lines.append("- intake: not measured (the service has no POST /api/v1/cases yet)")
    ratio = read.requests_per_s / bare_read.requests_per_s if bare_read.requests_per_s else 0.0
    lines.append(
        f"- {rounds[0].read_label} / bare read-by-id: {read.requests_per_s:.1f} / "
        f"{bare_read.requests_per_s:.1f} = **{ratio:.2f}** (target ≥ {TARGET_READ_RATIO}): "
        f"{_verdict(ratio >= TARGET_READ_RATIO)}"
    )
    lines.append(
        f"- service process RSS, maximum through the run: **{rss:.0f} MB** (target < "
        f"{TARGET_RSS_MB:.0f} MB): {_verdict(rss < TARGET_RSS_MB)}; at the end "
        f"{rounds[-1].service_rss_last_mb:.0f} MB; bare app maximum "
        f"{max(r.bare_rss_mb for r in rounds):.0f} MB"
    )
    lines.append(
        "- server CPU per request, the figure least disturbed by other work on the machine "
        "(bare ÷ service, median of rounds): " + "; ".join(_cpu_ratios(rounds))
    )
    floors = [r.floor for r in rounds if r.floor is not None]
    if floors:
        floor = _best(floors)
        lines.append(
            f"- the floor, `GET /me` (token check and one user read, no case work): "
            f"{floor.requests_per_s:.1f} req/s = "
            f"{floor.requests_per_s / bare_read.requests_per_s:.2f} of the bare read"
        )
    lines += _wrk_lines(rounds, args.wrk_seconds)
    if statements:
        lines.append(
            "- SQL statements per request (counted in-process by `python -m bench.statements`; the "
            "pool's pre-ping, BEGIN and COMMIT come on top of each): "
            + ", ".join(f"{name} {count}" for name, count in statements.items())
        )
    errors = [
        s
        for r in rounds
        for res in (r.bare_insert, r.bare_read, r.intake, r.read, r.floor)
        if res
        for s in res.error_samples
    ]
    return "\n".join(
        [
            *harness.section_head("API overhead against the bare stack", machine),
            "Setup: each server alone on the machine's 2 cores with PostgreSQL (uvicorn, 1 worker, log level "
            "WARNING, `ENFORCEMENT_ENVIRONMENT=production`, the service's pool settings with pre-ping); "
            "the load "
            f"generator is one asyncio process (HTTP/1.1 keep-alive, {args.concurrency} connections, "
            f"{args.requests} requests per measurement after {args.warmup} warm-up requests, loopback). "
            f"Intake {'with' if args.idempotency_key else 'without'} an `Idempotency-Key`. "
            f"Schema: {schema_note}. Ratios use the best round of each.",
            "",
            *rows,
            "",
            *lines,
            *([f"- error samples: {errors[:3]}"] if errors else []),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url",
        required=True,
        help="PostgreSQL database to wipe and use; its name must contain 'bench'",
    )
    parser.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    parser.add_argument("--concurrency", type=int, default=16, help="keep-alive connections")
    parser.add_argument("--warmup", type=int, default=200, help="requests sent first and not counted")
    parser.add_argument("--rounds", type=int, default=2, help="bare then service, repeated")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per measurement")
    parser.add_argument("--no-idempotency-key", dest="idempotency_key", action="store_false")
    parser.add_argument(
        "--wrk-seconds",
        type=float,
        default=8.0,
        help="also measure each endpoint with wrk (2 threads, 16 connections) this long; 0: do not",
    )
    parser.add_argument(
        "--profile",
        choices=("cpu", "wall"),
        help="py-spy the service under the intake load (round 1): cpu = samples holding "
        "the GIL, wall = every busy thread (lock and I/O waits too)",
    )
    harness.add_quiet_arguments(parser)
    parser.add_argument(
        "--no-results",
        dest="write_results",
        action="store_false",
        help="print only; do not append to bench/RESULTS.md",
    )
    args = parser.parse_args()
    harness.require_bench_database(args.database_url)

    print("preparing the database …", flush=True)
    schema_note = harness.fresh_schema(args.database_url)
    print(f"schema: {schema_note}")
    harness.seed_organisation(args.database_url)
    from bench.bare_app import create_schema

    engine = create_engine(args.database_url)
    try:
        create_schema(engine)
    finally:
        engine.dispose()
    machine = harness.machine_description(args.database_url)
    jwt_secret = harness.new_jwt_secret()
    rounds = []
    quiet_notes = []
    for number in range(args.rounds):
        quiet = harness.wait_for_quiet_machine(args.quiet_load, args.quiet_wait)
        quiet_notes.append(f"round {number + 1}: {quiet}")
        rnd = run_round(args, number, jwt_secret)
        for result in (rnd.bare_insert, rnd.bare_read, rnd.intake, rnd.read, rnd.floor):
            if result is not None:
                print(f"round {number + 1}: {result.line()}", flush=True)
        rounds.append(rnd)
    machine["machine state"] = "; ".join(quiet_notes)
    section = report(args, rounds, schema_note, machine, count_statements(args.database_url))
    print()
    print(section)
    if args.write_results:
        harness.append_results(section)
        print(f"\nappended to {harness.RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
