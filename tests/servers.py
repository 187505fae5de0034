"""API server processes for tests that need real ones: several at once, killed, restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import httpx

from tests.conftest import ROOT

READY_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """One ``uvicorn app.main:app`` process, or with ``serve`` one ``python -m app.serve`` (uvicorn as
    production configures it); ``start`` again after ``kill`` restarts it on its port."""

    database_url: str
    log_level: str = "WARNING"
    extra_env: dict[str, str] = field(default_factory=dict)
    serve: bool = False
    port: int = field(default_factory=free_port)
    log: Path = field(default_factory=lambda: Path(tempfile.mkstemp(prefix="api-server-", suffix=".log")[1]))
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = os.environ | {
            "ENFORCEMENT_DATABASE_URL": self.database_url,
            "ENFORCEMENT_ENVIRONMENT": "test",
            "ENFORCEMENT_LOG_LEVEL": self.log_level,
            **self.extra_env,
        }
        if self.serve:
            command = ["app.serve"]
            env |= {"ENFORCEMENT_HOST": "127.0.0.1", "ENFORCEMENT_PORT": str(self.port)}
        else:
            command = ["uvicorn", "app.main:app", "--host", "127.0.0.1", "--port", str(self.port)]
            command += ["--log-level", "warning"]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", *command],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.wait_ready()
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"server {self.url} exited with {self.proc.returncode}:\n{self.output()[-4000:]}"
                )
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server {self.url} not up after {READY_TIMEOUT_S} s:\n{self.output()[-4000:]}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no cleanup, whatever was in flight is cut off."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def running(database_url: str, count: int = 1, **options: object) -> Iterator[list[Server]]:
    """``count`` server processes on one database; always stopped afterwards."""
    servers = [Server(database_url, **options) for _ in range(count)]  # type: ignore[arg-type]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def together(count: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """``send(i)`` for i in range(count), released at the same instant from ``count`` threads."""
    barrier = threading.Barrier(count)

    def go(index: int) -> httpx.Response:
        barrier.wait()
        return send(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(go, range(count)))
