"""The application factory."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi import Depends
from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.api_docs import install_api_docs
from app.dashboard import install_dashboard
from app.errors import ContentTooLarge
from app.errors import install_error_handlers
from app.errors import problem_responses
from app.logging import configure_logging
from app.middleware import RequestBodyGuard
from app.middleware import RequestContextMiddleware
from app.permission_table import document_permissions
from app.routers import ROUTERS
from app.routers import health
from app.routers import problems
from app.routing import API_PREFIX
from app.services.session_listeners import install_session_listeners
from app.settings import get_settings
from app.text_input import reject_control_characters

TOKEN_PATH = f"{API_PREFIX}/auth/token"  # the one route under the prefix that takes a body without a token


def create_app() -> FastAPI:
    settings = get_settings()
    configure_logging(settings.log_level)
    install_session_listeners()
    app = FastAPI(
        title="Enforcement bureau case management",
        version="1.0.0",
        summary="执行局 case management: intake, triage, deadlines, team work, disposal, desks, audit.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served by install_api_docs, without a CDN
        redoc_url=None,
        dependencies=[Depends(reject_control_characters)],
    )
    install_api_docs(app)
    install_dashboard(app)
    install_error_handlers(app)
    app.add_middleware(
        RequestBodyGuard,
        max_body_bytes=settings.max_body_bytes,
        max_body_bytes_by_path=settings.max_body_bytes_by_path,
        protected_prefix=f"{API_PREFIX}/",
        public_paths={TOKEN_PATH},
    )
    app.add_middleware(RequestContextMiddleware)  # outermost: refusals get a request id and a log line too
    for router in (health.router, *ROUTERS):
        _summaries_from_docstrings(router)
    app.include_router(health.router)
    app.include_router(problems.router)
    # Any request may be refused for its body's size (RequestBodyGuard), whatever its method.
    too_large: dict[int | str, dict[str, Any]] = {
        ContentTooLarge.status: problem_responses(ContentTooLarge)[ContentTooLarge.status]
    }
    for router in ROUTERS:
        app.include_router(router, prefix=API_PREFIX, responses=too_large)
    document_permissions(app, ROUTERS)
    return app


def _summaries_from_docstrings(router: APIRouter) -> None:
    """Each operation's summary is the first line of its route function's docstring."""
    for route in router.routes:
        if isinstance(route, APIRoute) and not route.summary and route.endpoint.__doc__:
            route.summary = route.endpoint.__doc__.strip().splitlines()[0].rstrip(".")


app = create_app()
