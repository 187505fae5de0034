"""A bounded loopback load generator: N keep-alive HTTP/1.1 connections, a fixed number of requests
and a time limit, against 127.0.0.1 only.

Pure asyncio (uvloop when installed) with hand-written HTTP/1.1 framing, so that the generator costs
a small fraction of a core per thousand requests and the server under test stays the bottleneck.
Each run reports its own CPU time, so a reader can check that claim on the machine at hand.

    python -m bench.load http://127.0.0.1:8000/healthz --requests 2000 --concurrency 16
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from urllib.parse import urlsplit

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
REQUEST_TIMEOUT_S = 30.0
MAX_ERROR_SAMPLES = 3


@dataclass(frozen=True)
class Request:
    """One request to send; ``body`` is sent as JSON bytes with a Content-Length."""

    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


RequestSource = Sequence[Request] | Callable[[int], Request]


@dataclass
class LoadResult:
    name: str
    concurrency: int
    completed: int = 0
    errors: int = 0
    duration_s: float = 0.0
    generator_cpu_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    stopped_by_time_limit: bool = False

    @property
    def ok(self) -> int:
        return self.completed - self.errors

    @property
    def requests_per_s(self) -> float:
        return self.ok / self.duration_s if self.duration_s else 0.0

    @property
    def generator_cpu_share(self) -> float:
        """Share of one core the generator process used during the run."""
        return self.generator_cpu_s / self.duration_s if self.duration_s else 0.0

    def percentile(self, q: float) -> float:
        return percentile(sorted(self.latencies_ms), q)

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.latencies_ms)
        return {
            "name": self.name,
            "concurrency": self.concurrency,
            "completed": self.completed,
            "errors": self.errors,
            "duration_s": round(self.duration_s, 2),
            "requests_per_s": round(self.requests_per_s, 1),
            "p50_ms": round(percentile(ordered, 50), 2),
            "p95_ms": round(percentile(ordered, 95), 2),
            "p99_ms": round(percentile(ordered, 99), 2),
            "generator_cpu_share": round(self.generator_cpu_share, 2),
            "statuses": dict(sorted(self.statuses.items())),
            "stopped_by_time_limit": self.stopped_by_time_limit,
        }

    def line(self) -> str:
        s = self.summary()
        return (
            f"{self.name}: {s['requests_per_s']} req/s, p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, "
            f"{self.ok} ok / {self.errors} errors in {s['duration_s']} s "
            f"(c={self.concurrency}, generator {s['generator_cpu_share']:.0%} of a core)"
        )


def percentile(ordered: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of an ascending sequence (0.0 when empty)."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def json_request(
    method: str, path: str, payload: object | None = None, headers: dict[str, str] | None = None
) -> Request:
    body = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    return Request(method, path, body, tuple((headers or {}).items()))


def loopback_target(base_url: str) -> tuple[str, int]:
    """Host and port of ``base_url``; anything but a loopback address is refused."""
    parts = urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise ValueError(f"the load generator only targets http://127.0.0.1, not {base_url!r}")
    return parts.hostname, parts.port or 80


def _encode(request: Request, host_header: str) -> bytes:
    lines = [
        f"{request.method} {request.path} HTTP/1.1",
        f"Host: {host_header}",
        "User-Agent: enforcement-bench",
        "Accept: application/json",
    ]
    lines += [f"{name}: {value}" for name, value in request.headers]
    if request.body is not None:
        if not any(name.lower() == "content-type" for name, _ in request.headers):
            lines.append("Content-Type: application/json")
        lines.append(f"Content-Length: {len(request.body)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    return head + (request.body or b"")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, *header_lines = head[:-4].decode("latin-1").split("\r\n")
    status = int(status_line.split(" ", 2)[1])
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    keep_alive = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    elif status in (204, 304) or 100 <= status < 200:
        body = b""
    else:
        body, keep_alive = await reader.read(), False
    return status, body, keep_alive


async def _run(
    base_url: str,
    get: Callable[[int], Request],
    *,
    total: int,
    concurrency: int,
    time_limit_s: float,
    expected: frozenset[int],
    name: str,
) -> LoadResult:
    host, port = loopback_target(base_url)
    host_header = f"{host}:{port}"
    result = LoadResult(name=name, concurrency=concurrency)
    counter = itertools.count()
    deadline = time.perf_counter() + time_limit_s

    async def connection() -> None:
        reader = writer = None
        try:
            while True:
                index = next(counter)
                if index >= total:
                    return
                if time.perf_counter() > deadline:
                    result.stopped_by_time_limit = True
                    return
                payload = _encode(get(index), host_header)
                started = time.perf_counter()
                try:
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                    writer.write(payload)
                    status, body, keep_alive = await asyncio.wait_for(
                        _read_response(reader), REQUEST_TIMEOUT_S
                    )
                except (
                    TimeoutError,
                    OSError,
                    asyncio.IncompleteReadError,
                    asyncio.LimitOverrunError,
                    ValueError,
                ) as exc:
                    result.completed += 1
                    result.errors += 1
                    if len(result.error_samples) < MAX_ERROR_SAMPLES:
                        result.error_samples.append(f"{type(exc).__name__}: {exc}")
                    if writer is not None:
                        writer.close()
                    reader = writer = None
                    continue
                result.latencies_ms.append((time.perf_counter() - started) * 1000)
                result.completed += 1
                result.statuses[status] += 1
                if status not in expected:
                    result.errors += 1
                    if len(result.error_samples) < MAX_ERROR_SAMPLES:
                        result.error_samples.append(f"{status}: {body[:300].decode('utf-8', 'replace')}")
                if not keep_alive:
                    writer.close()
                    reader = writer = None
        finally:
            if writer is not None:
                writer.close()

    cpu_before, wall_before = time.process_time(), time.perf_counter()
    tasks = [asyncio.create_task(connection()) for _ in range(concurrency)]
    try:
        # The hard bound: the time limit plus one request timeout for the last in-flight requests.
        await asyncio.wait_for(asyncio.gather(*tasks), time_limit_s + REQUEST_TIMEOUT_S)
    except TimeoutError:
        result.stopped_by_time_limit = True
    result.duration_s = time.perf_counter() - wall_before
    result.generator_cpu_s = time.process_time() - cpu_before
    return result


def run_load(
    base_url: str,
    source: RequestSource,
    *,
    total: int,
    concurrency: int = 16,
    time_limit_s: float = 120.0,
    expected: Sequence[int] = (200, 201),
    name: str = "load",
    warmup: int = 0,
) -> LoadResult:
    """Send ``total`` requests from ``source`` over ``concurrency`` connections; bounded by the time limit.

    ``source`` is a sequence of requests or a function of the request index. ``warmup`` requests
    (taken from the front of the source) are sent first and not counted.
    """
    if total < 1 or concurrency < 1:
        raise ValueError("total and concurrency must be at least 1")
    get = source.__getitem__ if isinstance(source, Sequence) else source
    if isinstance(source, Sequence):
        total = min(total, len(source) - warmup)
    loopback_target(base_url)

    async def main() -> LoadResult:
        if warmup:
            await _run(
                base_url,
                get,
                total=warmup,
                concurrency=concurrency,
                time_limit_s=time_limit_s,
                expected=frozenset(expected),
                name=f"{name} warm-up",
            )
        return await _run(
            base_url,
            lambda i: get(i + warmup),
            total=total,
            concurrency=concurrency,
            time_limit_s=time_limit_s,
            expected=frozenset(expected),
            name=name,
        )

    return _event_loop_run(main())


def _event_loop_run(coro):  # type: ignore[no-untyped-def]
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("url", help="http://127.0.0.1:PORT/path (loopback only)")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds")
    parser.add_argument("--header", action="append", default=[], help="'Name: value', repeatable")
    args = parser.parse_args()
    parts = urlsplit(args.url)
    headers = tuple((n.strip(), v.strip()) for n, _, v in (h.partition(":") for h in args.header))
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    request = Request("GET", path or "/", None, headers)
    result = run_load(
        f"{parts.scheme}://{parts.netloc}",
        lambda _i: request,
        total=args.requests,
        concurrency=args.concurrency,
        time_limit_s=args.time_limit,
        name=path,
        expected=(200,),
    )
    print(result.line())
    for sample in result.error_samples:
        print("  error:", sample)


if __name__ == "__main__":
    main()
