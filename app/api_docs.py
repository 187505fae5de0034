"""Swagger UI at ``/docs`` and ReDoc at ``/redoc``, served with their scripts from the service itself.

Court networks reach no public host, so the pages use the copies of Swagger UI and ReDoc that the
``fastapi-offline`` package ships (under ``/docs/assets``) instead of a CDN, and their
Content-Security-Policy keeps the browser from asking any other host for anything (ReDoc's footer
asks for a logo from one).
"""

from __future__ import annotations

from collections.abc import Awaitable
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.docs import get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
ASSETS_DIR = files("fastapi_offline") / "static"
FAVICON = f"{ASSETS}/favicon.png"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)
SWAGGER_UI: dict[str, Any] = {
    "swagger_js_url": f"{ASSETS}/swagger-ui-bundle.js",
    "swagger_css_url": f"{ASSETS}/swagger-ui.css",
    "swagger_favicon_url": FAVICON,
    # No validator badge (an image from a public host); operation ids are what generated clients call.
    "swagger_ui_parameters": {"validatorUrl": None, "displayOperationId": True},
}
REDOC: dict[str, Any] = {
    "redoc_js_url": f"{ASSETS}/redoc.standalone.js",
    "redoc_favicon_url": FAVICON,
    "with_google_fonts": False,
}


def _confined(render: Callable[[], HTMLResponse]) -> Callable[[], Awaitable[HTMLResponse]]:
    """An endpoint serving ``render()`` under the Content-Security-Policy."""

    async def page() -> HTMLResponse:
        html = render()
        html.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        return html

    return page


def install_api_docs(app: FastAPI, *, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Mount the assets and serve the two pages and Swagger UI's OAuth2 redirect page (no token needed)."""
    assert app.openapi_url and app.swagger_ui_oauth2_redirect_url
    spec, title, redirect = app.openapi_url, app.title, app.swagger_ui_oauth2_redirect_url
    app.mount(ASSETS, StaticFiles(directory=str(ASSETS_DIR)), name="docs-assets")
    pages: dict[str, Callable[[], HTMLResponse]] = {
        docs_url: lambda: get_swagger_ui_html(
            openapi_url=spec, title=f"{title} - Swagger UI", oauth2_redirect_url=redirect, **SWAGGER_UI
        ),
        redirect: get_swagger_ui_oauth2_redirect_html,
        redoc_url: lambda: get_redoc_html(openapi_url=spec, title=f"{title} - ReDoc", **REDOC),
    }
    for path, render in pages.items():
        app.add_api_route(path, _confined(render), include_in_schema=False)
