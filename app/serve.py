"""Serve the API with uvicorn, using the host, port, workers and log level of the settings."""

from __future__ import annotations

import uvicorn

from app.seed import DEMO_USERS
from app.settings import get_settings


def main() -> None:
    settings = get_settings()
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
    )


if __name__ == "__main__":
    main()
