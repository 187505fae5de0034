"""The command center's dashboard (指挥中心大屏) at ``/dashboard``: a static page with its scripts and
styles shipped in the package (``app/static/dashboard``), drawing its charts as SVG in the browser
from the public API. Court networks reach no public host, so its Content-Security-Policy lets the
page load and connect to nothing but the service itself, and run no inline script or style.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

DASHBOARD_DIR = files("app") / "static" / "dashboard"
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}


def install_dashboard(app: FastAPI, *, path: str = "/dashboard") -> None:
    """Serve the page at ``path`` and its assets under ``path/assets``, with no token needed: the
    page logs in itself, and every figure comes from the API under the user's own permissions."""
    app.mount(f"{path}/assets", StaticFiles(directory=str(DASHBOARD_DIR)), name="dashboard-assets")

    async def dashboard() -> FileResponse:
        return FileResponse(str(DASHBOARD_DIR / "index.html"), media_type="text/html", headers=HEADERS)

    app.add_api_route(path, dashboard, methods=["GET"], include_in_schema=False)
