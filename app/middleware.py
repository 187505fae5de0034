"""Request id, access log and Prometheus metrics for every request; request bodies refused before
they are read."""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection
from collections.abc import Mapping

import structlog
from prometheus_client import Counter
from prometheus_client import Histogram
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp
from starlette.types import Message
from starlette.types import Receive
from starlette.types import Scope
from starlette.types import Send

from app.context import request_id_var
from app.errors import ContentTooLarge
from app.errors import DomainError
from app.errors import Unauthorized
from app.errors import domain_error_response
from app.security import bearer_user_id

REQUESTS = Counter("http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram("http_request_duration_seconds", "HTTP request latency", ["method", "route"])
log = structlog.get_logger("app.access")


class RequestContextMiddleware:
    """Pure ASGI middleware (no BaseHTTPMiddleware overhead): X-Request-ID in and out, timing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token = request_id_var.set(rid)
        start = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - start
            route = scope.get("route")
            path = getattr(route, "path", "unmatched")
            REQUESTS.labels(scope["method"], path, str(status)).inc()
            LATENCY.labels(scope["method"], path).observe(elapsed)
            log.info(
                "request", method=scope["method"], route=path, status=status, ms=round(elapsed * 1000, 1)
            )
            request_id_var.reset(token)


class BodyTooLarge(HTTPException):
    """Raised to the app when a streamed body passes its limit; the app's answer is replaced by a 413."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


class RequestBodyGuard:
    """Pure ASGI middleware: a request body is refused before the app reads it

    - with 401 when it is sent to an authenticated route (under ``protected_prefix``, not one of
      ``public_paths``) without a valid bearer token: FastAPI reads and parses a body before the
      route's dependencies look at the token, so a caller without one could make it read anything;
    - with 413 when its Content-Length announces more than the path's limit;
    - with 413 as soon as a body of unannounced size (chunked) passes the limit while it streams in.

    Refusals carry ``Connection: close`` (RFC 9110 §15.5.14): the server stops reading the rest.
    The token is checked again, with the user's record, by the route (app.deps).
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        max_body_bytes_by_path: Mapping[str, int],
        protected_prefix: str,
        public_paths: Collection[str],
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_body_bytes_by_path = dict(max_body_bytes_by_path)
        self.protected_prefix = protected_prefix
        self.public_paths = frozenset(public_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        limit = self.max_body_bytes_by_path.get(path, self.max_body_bytes)
        refusal = self._refusal_before_reading(path, Headers(scope=scope), limit)
        if refusal is not None:
            await _refuse(refusal, scope, receive, send)
            return
        received = 0
        exceeded = started = refused = False

        async def receive_counted() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge()
            return message

        async def send_unless_refused(message: Message) -> None:
            nonlocal started, refused
            if exceeded and not started:
                refused = True
            if refused:
                if not started:
                    started = True
                    await _refuse(_too_large(limit), scope, receive, send)
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive_counted, send_unless_refused)
        except BodyTooLarge:
            if started and not refused:
                raise
            if not started:
                await _refuse(_too_large(limit), scope, receive, send)

    def _refusal_before_reading(self, path: str, headers: Headers, limit: int) -> DomainError | None:
        length = headers.get("content-length")
        if length in (None, "0") and "transfer-encoding" not in headers:
            return None  # no body
        if path.startswith(self.protected_prefix) and path not in self.public_paths:
            scheme, _, token = headers.get("authorization", "").partition(" ")
            try:
                bearer_user_id(token.strip() if scheme.lower() == "bearer" else None)
            except Unauthorized as refused:
                return refused
        if length is not None and length.isdigit() and int(length) > limit:
            return _too_large(limit)
        return None


def _too_large(limit: int) -> ContentTooLarge:
    return ContentTooLarge(f"the request body may not exceed {limit} bytes")


async def _refuse(error: DomainError, scope: Scope, receive: Receive, send: Send) -> None:
    response = domain_error_response(error, scope["path"], {"Connection": "close"})
    await response(scope, receive, send)
