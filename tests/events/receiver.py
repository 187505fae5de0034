"""A webhook receiver for tests: a real HTTP server on a free port that checks each delivery's
signature the way docs/events.md tells receivers to, and keeps what it got."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # a relay opens many connections at once; the default backlog is 5
    daemon_threads = True


def verify(secret: str, header: str, body: bytes, tolerance_s: int = 300) -> bool:
    """docs/events.md, "Verifying a delivery": t and v1 from the header; HMAC-SHA256 of "t." + body."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"]) and abs(time.time() - int(parts["t"])) <= tolerance_s


@dataclass
class Receiver:
    secret: str
    status: int = 200  # what it answers
    delay_s: float = 0.0  # how long it takes to answer
    received: list[dict[str, Any]] = field(default_factory=list)  # valid deliveries, in arrival order
    forged: int = 0  # deliveries whose signature did not verify
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def event_ids(self) -> list[str]:
        with self.lock:
            return [body["id"] for body in self.received]


@contextmanager
def receiving(secret: str, **options: Any) -> Iterator[Receiver]:
    receiver = Receiver(secret, **options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server interface
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            if len(body) < length:
                return  # the sender died mid-request (a relay killed mid-batch): nothing was delivered
            time.sleep(receiver.delay_s)
            with receiver.lock:
                if verify(receiver.secret, self.headers["Enforcement-Signature"], body):
                    receiver.received.append(
                        json.loads(body) | {"_event_id": self.headers["Enforcement-Event-Id"]}
                    )
                else:
                    receiver.forged += 1
            try:
                self.send_response(receiver.status)
                self.end_headers()
            except OSError:
                pass  # the relay gave up waiting

        def log_message(self, *args: Any) -> None:
            pass

    server = _Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/enforcement"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
