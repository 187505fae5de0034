"""The same measurements with ``wrk`` (Debian's package), the C load generator, so that a figure does
not depend on the generator: 2 threads, 16 connections, a fixed duration, against loopback.

    result = wrk_get(base_url, "/api/v1/cases/7", headers, seconds=8)
    result = wrk_post(base_url, "/api/v1/cases", body_with_SERIAL, headers, serial_base=5_000_000)

POST bodies come from ``bench/wrk_post.lua``: the body's ``SERIAL`` is replaced by a number unique in
the run, so each intake files a new case.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK_THREADS = 2
WRK_CONNECTIONS = 16
POST_SCRIPT = Path(__file__).resolve().parent / "wrk_post.lua"


@dataclass(frozen=True)
class WrkResult:
    name: str
    requests_per_s: float
    not_2xx: int
    generator_cores: float

    def line(self) -> str:
        return (
            f"{self.name} (wrk): {self.requests_per_s:.1f} req/s, {self.not_2xx} not 2xx, "
            f"generator {self.generator_cores:.0%} of a core"
        )


def available() -> bool:
    return shutil.which("wrk") is not None


def _run(
    name: str, url: str, headers: dict[str, str], seconds: float, extra: list[str], env: dict[str, str]
) -> WrkResult:
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds:.0f}s", "--latency", *extra]
    for header, value in headers.items():
        command += ["-H", f"{header}: {value}"]
    before = os.times()
    output = subprocess.run(
        [*command, url],
        capture_output=True,
        text=True,
        env=os.environ | env,
        timeout=seconds + 60,
        check=True,
    ).stdout
    after = os.times()
    used = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        name=name,
        requests_per_s=float(rate.group(1)) if rate else 0.0,
        not_2xx=int(refused.group(1)) if refused else 0,
        generator_cores=used / seconds,
    )


def wrk_get(name: str, base_url: str, path: str, headers: dict[str, str], *, seconds: float) -> WrkResult:
    return _run(name, base_url + path, headers, seconds, [], {})


def wrk_post(
    name: str,
    base_url: str,
    path: str,
    body: str,
    headers: dict[str, str],
    *,
    seconds: float,
    serial_base: int,
    idempotency_key: bool = False,
) -> WrkResult:
    env = {
        "WRK_BODY": body,
        "WRK_SERIAL_BASE": str(serial_base),
        "WRK_IDEMPOTENCY": "1" if idempotency_key else "0",
    }
    return _run(name, base_url + path, headers, seconds, ["-s", str(POST_SCRIPT)], env)
