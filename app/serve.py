"""Serve the API with uvicorn, using the host, port, workers and log level of the settings."""

from __future__ import annotations

import ipaddress
import socket
import sys

import uvicorn

from app.seed import DEMO_USERS
from app.settings import PLACEHOLDER_AUDIT_KEY
from app.settings import PLACEHOLDER_SECRET
from app.settings import PUBLISHED_DEMO_PASSWORD
from app.settings import Settings
from app.settings import get_settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def refuse_published_secret(settings: Settings) -> None:
    """Exit rather than serve the network with what the published source holds: with the placeholder
    signing key anyone could sign an administrator's token, with the placeholder anchor key forge the
    audit chain's head, and with the printed demo password log in as any demo user."""
    if is_loopback(settings.host):
        return
    if settings.jwt_secret == PLACEHOLDER_SECRET:
        _refuse(settings.host, "signing key: set ENFORCEMENT_JWT_SECRET (at least 32 random characters)")
    if settings.audit_anchor_key == PLACEHOLDER_AUDIT_KEY:
        _refuse(
            settings.host,
            "audit anchor key: set ENFORCEMENT_AUDIT_ANCHOR_KEY (at least 32 random characters)",
        )
    if settings.environment == "development" and settings.demo_password == PUBLISHED_DEMO_PASSWORD:
        _refuse(settings.host, "demo password: set ENFORCEMENT_DEMO_PASSWORD before seeding demo users")


def _refuse(host: str, what: str) -> None:
    raise SystemExit(
        f"refusing to serve on {host} with the published placeholder {what}; or unset the keys in "
        "development to use random ones kept under var/, and serve on 127.0.0.1"
    )


def port_taken(host: str, port: int) -> bool:
    """Whether another process listens on ``host:port`` (bound the way uvicorn binds, SO_REUSEADDR)."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]
    except OSError:
        return False  # an unknown host: uvicorn says so
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def exit_if_port_taken(host: str, port: int) -> None:
    if port_taken(host, port):
        other = port + 1
        sys.exit(
            f"cannot serve on {host}:{port}: the port is in use, perhaps by an earlier `make run`; "
            f"stop that server or choose another port (make run PORT={other}, or ENFORCEMENT_PORT={other})"
        )


def main(argv: list[str] | None = None) -> None:
    """``--check-port``: only check that the port is free and the signing key may serve there (``make
    run``, before it migrates and seeds)."""
    settings = get_settings()
    refuse_published_secret(settings)
    exit_if_port_taken(settings.host, settings.port)
    if "--check-port" in (sys.argv[1:] if argv is None else argv):
        return
    base = f"http://{settings.host}:{settings.port}"
    print(f"API docs: {base}/docs   (OpenAPI: {base}/api/v1/openapi.json)")
    if settings.environment == "development":
        print(f"demo logins, password {settings.demo_password!r}: " + ", ".join(u[0] for u in DEMO_USERS))
    uvicorn.run(
        "app.main:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=True,
        # h11 rather than httptools: httptools reads a request line and headers of any size into
        # memory; h11 refuses more than this with 400 and closes the connection.
        http="h11",
        h11_max_incomplete_event_size=settings.max_header_bytes,
    )


if __name__ == "__main__":
    main()
