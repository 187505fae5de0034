"""Serve the API with uvicorn, using the host, port, workers and log level of the settings."""

from __future__ import annotations

import ipaddress
import socket
import sys

import uvicorn

from app.seed import DEMO_USERS
from app.settings import PLACEHOLDER_SECRET, Settings, get_settings


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def refuse_published_secret(settings: Settings) -> None:
    """Exit rather than serve the network with the placeholder key: it is in the published source, so
    anyone who can reach the server could sign an administrator's token with it."""
    if settings.jwt_secret == PLACEHOLDER_SECRET and not is_loopback(settings.host):
        raise SystemExit(
            f"refusing to serve on {settings.host} with the published placeholder signing key: set "
            "ENFORCEMENT_JWT_SECRET (at least 32 random characters), or unset it in development to "
            "sign with a random key kept in var/jwt-secret"
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
