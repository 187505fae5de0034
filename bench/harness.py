"""What every benchmark shares: a fresh database, servers started and always stopped, the server's
RSS and CPU through a run, the machine's description, valid test identifiers, and RESULTS.md."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from types import TracebackType

import httpx
from sqlalchemy import Engine
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
OUT = ROOT / "bench" / "out"  # server logs and profiles (git-ignored)
DEMO_PASSWORD = "bench-demo-password"
SERVER_START_TIMEOUT_S = 60.0
SERVER_STOP_TIMEOUT_S = 15.0


# --- database ---------------------------------------------------------------------------------------


def require_bench_database(url: str) -> None:
    """The benchmarks wipe their database: refuse any whose name does not say it is a benchmark's."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise SystemExit(f"the benchmarks run on PostgreSQL, not {parsed.get_backend_name()}")
    if "bench" not in (parsed.database or ""):
        raise SystemExit(f"refusing to wipe database {parsed.database!r}: its name must contain 'bench'")
    if parsed.host not in (None, "127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"the benchmarks run against a local PostgreSQL, not {parsed.host}")


def create_database_if_missing(url: str) -> None:
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": parsed.database}
            ).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    finally:
        admin.dispose()


def fresh_schema(url: str) -> str:
    """Empty the database and build the app's schema; returns how (for the report).

    ``alembic upgrade head`` first; when the migrations lag behind the models (a migration still
    pending for work in progress) the schema is rebuilt from the models with ``create_all``.
    """
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext

    from app.models import Base
    from app.models.base import compared_by_autogenerate

    require_bench_database(url)
    create_database_if_missing(url)
    engine = create_engine(url)
    try:
        _drop_everything(engine)
        cfg = Config(str(ROOT / "alembic.ini"))
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        cfg.attributes["configure_logger"] = False
        try:
            command.upgrade(cfg, "head")
            with engine.connect() as conn:
                options = {"compare_type": True, "include_object": compared_by_autogenerate}
                diffs = compare_metadata(MigrationContext.configure(conn, opts=options), Base.metadata)
        except Exception as exc:  # a broken migration chain is reported, then worked around
            diffs = [f"alembic upgrade failed: {type(exc).__name__}: {exc}"]
        if not diffs:
            return "alembic upgrade head"
        _drop_everything(engine)
        Base.metadata.create_all(engine)
        return (
            f"Base.metadata.create_all (migrations lag behind the models: {len(diffs)} "
            f"difference(s), e.g. {str(diffs[0])[:160]})"
        )
    finally:
        engine.dispose()


def _drop_everything(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))


def seed_organisation(url: str) -> dict[str, int]:
    """Units and demo users (password ``DEMO_PASSWORD``); returns user ids by username."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from app.models.user import User
    from app.seed import seed_demo_users
    from app.seed import seed_units

    engine = create_engine(url)
    try:
        with Session(engine) as session:
            seed_units(session)
            seed_demo_users(session, DEMO_PASSWORD)
            session.commit()
            return {u.username: u.id for u in session.scalars(select(User))}
    finally:
        engine.dispose()


def postgres_version(url: str) -> str:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return str(conn.execute(text("SHOW server_version")).scalar())
    finally:
        engine.dispose()


# --- servers ----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_environment(database_url: str, port: int, jwt_secret: str) -> dict[str, str]:
    """The settings both servers run with: one worker, log level WARNING, production mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENFORCEMENT_")}
    env.update(
        {
            "ENFORCEMENT_DATABASE_URL": database_url,
            "ENFORCEMENT_ENVIRONMENT": "production",
            "ENFORCEMENT_JWT_SECRET": jwt_secret,
            "ENFORCEMENT_AUDIT_ANCHOR_KEY": secrets.token_urlsafe(48),
            "ENFORCEMENT_HOST": "127.0.0.1",
            "ENFORCEMENT_PORT": str(port),
            "ENFORCEMENT_WORKERS": "1",
            "ENFORCEMENT_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def new_jwt_secret() -> str:
    return secrets.token_urlsafe(48)


class Server:
    """``python -m <module>`` as a child process, ready when ``/healthz`` answers; always stopped."""

    def __init__(
        self,
        name: str,
        module: str,
        *,
        database_url: str,
        port: int | None = None,
        jwt_secret: str | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.name = name
        self.module = module
        self.port = port or free_port()
        self.env = server_environment(database_url, self.port, jwt_secret or new_jwt_secret())
        self.env.update(extra_env or {})
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = OUT / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def __enter__(self) -> Server:
        OUT.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("wb")
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-2000:]
                code = self.process.returncode
                raise RuntimeError(f"{self.name} exited with {code}; {self.log_path}:\n{tail}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer /healthz within {SERVER_START_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        """SIGTERM to the process we started (uvicorn drains), SIGKILL if it does not exit."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(SERVER_STOP_TIMEOUT_S)


def login(base_url: str, username: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Bearer headers for a demo user, by the OAuth2 password flow of the running server."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": username, "password": password}, timeout=30.0
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


# --- process measurements ---------------------------------------------------------------------------


def rss_bytes(pid: int) -> int:
    """Resident set size of a process (psutil when installed, else /proc/<pid>/status VmRSS)."""
    try:
        import psutil
    except ImportError:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0
    return int(psutil.Process(pid).memory_info().rss)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_tree(pid: int) -> list[int]:
    """``pid`` and every process below it (a server's worker processes), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children.get(current, [])
    return tree


def postgres_cpu_seconds() -> float:
    """CPU time so far of every PostgreSQL process on the machine (its backends included)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                total += cpu_seconds(int(entry.name))
        except OSError:
            continue
    return total


def machine_busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


@dataclass
class RssSampler:
    """Samples a process's RSS every ``interval_s`` in a background thread while in the ``with`` block."""

    pid: int
    interval_s: float = 0.25
    samples: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> RssSampler:
        self._thread = threading.Thread(target=self._loop, name=f"rss-{self.pid}", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.samples.append(rss_bytes(self.pid))
            except (OSError, ValueError):
                return
            self._stop.wait(self.interval_s)

    @property
    def max_mb(self) -> float:
        return max(self.samples, default=0) / 2**20

    @property
    def last_mb(self) -> float:
        return (self.samples[-1] if self.samples else 0) / 2**20


@dataclass
class CpuWindow:
    """CPU used by one process and by the whole machine between ``__enter__`` and ``__exit__``."""

    pid: int
    process_share: float = 0.0  # of one core
    machine_share: float = 0.0  # of all cores
    _start: tuple[float, float, int, int] = (0.0, 0.0, 0, 0)

    def __enter__(self) -> CpuWindow:
        busy, total = machine_busy_ticks()
        self._start = (time.perf_counter(), cpu_seconds(self.pid), busy, total)
        return self

    def __exit__(self, *_exc: object) -> None:
        wall0, cpu0, busy0, total0 = self._start
        busy, total = machine_busy_ticks()
        wall = time.perf_counter() - wall0
        try:
            self.process_share = (cpu_seconds(self.pid) - cpu0) / wall if wall else 0.0
        except OSError:
            self.process_share = 0.0
        self.machine_share = (busy - busy0) / (total - total0) if total > total0 else 0.0


# --- the report ---------------------------------------------------------------------------------------


def machine_description(database_url: str | None) -> dict[str, str]:
    """The machine, and the PostgreSQL server at ``database_url`` (None: SQLite, in the process)."""
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    ram_kb = next((int(line.split()[1]) for line in meminfo if line.startswith("MemTotal:")), 0)
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    load1, load5, _ = os.getloadavg()
    return {
        "nproc": str(os.cpu_count()),
        "RAM": f"{ram_kb / 2**20:.1f} GiB",
        "CPU": cpu_model,
        **(
            {"PostgreSQL": postgres_version(database_url)}
            if database_url
            else {"SQLite": sqlite3.sqlite_version}
        ),
        "Python": platform.python_version(),
        "kernel": platform.release(),
        "load average at start (1 min, 5 min)": f"{load1:.2f}, {load5:.2f}",
    }


def machine_markdown(machine: dict[str, str]) -> str:
    return "\n".join(f"- {name}: {value}" for name, value in machine.items())


def section_head(title: str, machine: dict[str, str]) -> list[str]:
    """The opening lines of a results section: its dated title, the command and the machine."""
    return [
        f"## {title} — {now_stamp()}",
        "",
        f"Command: `{command_line()}`",
        "",
        "Machine:",
        machine_markdown(machine),
        "",
    ]


def command_line() -> str:
    return " ".join(["python", "-m", *_module_and_args()])


def _module_and_args() -> list[str]:
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    module = spec.name if spec is not None else Path(sys.argv[0]).stem
    return [module, *sys.argv[1:]]


def wait_for_quiet_machine(max_load: float, max_wait_s: float) -> str:
    """Wait (bounded) until the 1-minute load average is at most ``max_load``; returns what happened."""
    if max_wait_s <= 0:
        return f"did not wait for a quiet machine (load {os.getloadavg()[0]:.2f})"
    started = time.monotonic()
    while (load := os.getloadavg()[0]) > max_load and time.monotonic() - started < max_wait_s:
        print(f"waiting for the machine to quieten: load {load:.2f} > {max_load}", flush=True)
        time.sleep(min(15.0, max_wait_s))
    waited = time.monotonic() - started
    if load > max_load:
        return f"the machine stayed busy (load {load:.2f} after waiting {waited:.0f} s); measured anyway"
    return f"started at load {load:.2f} after waiting {waited:.0f} s for ≤ {max_load}"


def add_quiet_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quiet-load", type=float, default=1.0, help="1-minute load average to wait for before measuring"
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=0.0, help="seconds to wait at most for that load (0: do not wait)"
    )


def append_results(section: str) -> None:
    """Append one dated section to bench/RESULTS.md (created with a title when missing)."""
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nEach section is appended by the command it names.\n")
    with RESULTS.open("a", encoding="utf-8") as out:
        out.write("\n" + section.rstrip() + "\n")


def now_stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


# --- valid identifiers for generated parties ------------------------------------------------------

_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id(n: int) -> str:
    """The n-th distinct resident ID number of Zhengzhou Guancheng district with a valid GB 11643 check."""
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=(n // 1000) % 18000)
    body = f"410104{birth:%Y%m%d}{n % 1000:03d}"
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, _RESIDENT_ID_WEIGHTS, strict=True)) % 11]


def uscc(n: int) -> str:
    """The n-th distinct unified social credit code (enterprise, 410104) with a valid GB 32100 check."""
    digits = []
    for _ in range(9):
        n, r = divmod(n, 31)
        digits.append(_USCC_ALPHABET[r])
    body = "91410104" + "".join(reversed(digits))
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_ALPHABET[(31 - total % 31) % 31]
