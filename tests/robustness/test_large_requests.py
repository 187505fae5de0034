"""Oversized requests against a real server process, run as production runs it (``python -m app.serve``),
with its memory read from /proc/<pid>/status.

Twenty clients at once each offer a 100 MB body (announced or chunked, with or without a token), and
one offers a 20 MB header; the server answers each without reading it, and its resident memory stays
within 50 MiB of where it started. Loopback only, and bounded: a client stops sending as soon as the
server answers, and gives up after 30 s of silence.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.servers import Server
from tests.servers import running

MIB = 1024 * 1024
OFFERED = 100 * MIB
CLIENTS = 20
RSS_BUDGET = 50 * MIB
PIECE = 64 * 1024


def resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError(f"no VmRSS for process {pid}")


class PeakResidentMemory(threading.Thread):
    """Samples a process's resident memory every 20 ms until stopped; ``peak`` is the largest seen."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.done = pid, resident_bytes(pid), threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.02):
            self.peak = max(self.peak, resident_bytes(self.pid))

    def __enter__(self) -> PeakResidentMemory:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()


@dataclass(frozen=True)
class Offer:
    """A request whose head is sent whole and whose body (``size`` bytes) is sent until the server answers."""

    path: str
    token: str | None
    chunked: bool
    size: int = OFFERED
    content_type: str = "application/json"

    def head(self) -> bytes:
        lines = [f"POST {self.path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Type: {self.content_type}"]
        if self.token:
            lines.append(f"Authorization: Bearer {self.token}")
        lines.append("Transfer-Encoding: chunked" if self.chunked else f"Content-Length: {self.size}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode()

    def pieces(self) -> Iterator[bytes]:
        piece = b" " * PIECE
        framed = f"{PIECE:x}\r\n".encode() + piece + b"\r\n" if self.chunked else piece
        for _ in range(self.size // PIECE):
            yield framed
        if self.chunked:
            yield b"0\r\n\r\n"


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: the connection was closed without an answer
    sent: int  # bytes of the body the client got to send before the answer


def send_until_answered(port: int, head: bytes, pieces: Iterator[bytes]) -> Answer:
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(head)
            for piece in pieces:
                pending = memoryview(piece)
                while pending:
                    readable, writable, _ = select.select([sock], [sock], [], 30)
                    if readable:
                        return Answer(_status(sock), sent)
                    if not writable:
                        raise AssertionError("the server neither reads nor answers")
                    count = sock.send(pending)
                    pending, sent = pending[count:], sent + count
            return Answer(_status(sock), sent)
        except (ConnectionResetError, BrokenPipeError):
            return Answer(_status(sock), sent)


def _status(sock: socket.socket) -> int | None:
    reply = b""
    try:
        while b"\r\n" not in reply:
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    except (ConnectionResetError, TimeoutError):
        pass
    return int(reply.split()[1]) if reply.startswith(b"HTTP/1.1 ") else None


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[Server]:
    with running(database, serve=True) as (started,):
        yield started


def _offers(token: str) -> list[tuple[Offer, int]]:
    """The kinds of oversized offer, each with the status it must get."""
    form = "application/x-www-form-urlencoded"
    return [
        (Offer("/api/v1/cases", None, chunked=False), 401),
        (Offer("/api/v1/cases", None, chunked=True), 401),
        (Offer("/api/v1/cases", token, chunked=False), 413),
        (Offer("/api/v1/cases", token, chunked=True), 413),
        (Offer("/api/v1/auth/token", None, chunked=True, content_type=form), 413),
    ]


def test_twenty_parallel_100_mb_bodies_leave_the_memory_where_it_was(server, auth):
    token = auth("registrar")["Authorization"].removeprefix("Bearer ")
    offers = _offers(token)
    for offer, expected in offers:  # warm up every path once, with bodies of 2 MiB
        small = Offer(offer.path, offer.token, offer.chunked, 2 * MIB, offer.content_type)
        assert send_until_answered(server.port, small.head(), small.pieces()).status == expected
    time.sleep(0.5)
    before = resident_bytes(server.proc.pid)

    chosen = [offers[i % len(offers)] for i in range(CLIENTS)]
    requests = [(offer.head(), offer.pieces()) for offer, _ in chosen]
    started = time.monotonic()
    with PeakResidentMemory(server.proc.pid) as memory, ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(lambda request: send_until_answered(server.port, *request), requests))
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    after = resident_bytes(server.proc.pid)

    assert [a.status for a in answers] == [expected for _, expected in chosen], answers
    print(
        f"\n{CLIENTS} clients offering {OFFERED // MIB} MB each: answered in {elapsed:.1f} s; "
        f"body bytes sent before the answer: at most {max(a.sent for a in answers) / MIB:.1f} MiB; "
        f"server RSS {before / MIB:.0f} MiB before, peak {memory.peak / MIB:.0f} MiB, "
        f"{after / MIB:.0f} MiB after"
    )
    assert after - before < RSS_BUDGET
    assert memory.peak - before < RSS_BUDGET


def test_a_20_mb_header_is_refused_unread(server):
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: "
    before = resident_bytes(server.proc.pid)
    with PeakResidentMemory(server.proc.pid) as memory:
        answer = send_until_answered(server.port, head, (b"a" * PIECE for _ in range(20 * MIB // PIECE)))
    assert answer.status == 400
    assert memory.peak - before < RSS_BUDGET


def test_headers_within_the_limit_are_read(server, auth):
    head = f"GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: {'a' * 12_000}\r\n"
    head += f"Authorization: {auth('registrar')['Authorization']}\r\n\r\n"
    assert send_until_answered(server.port, head.encode(), iter(())).status == 200
