"""``/docs`` and ``/redoc`` work on a network without internet: every asset comes from the service.

The first tests read the pages' HTML; the browser tests render them in Debian's headless Chromium
against a real server, record every request the browser makes, log in and call an operation from
Swagger UI, and leave screenshots in ``test-output/docs/``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin
from urllib.parse import urlsplit

import pytest

from tests.conftest import DEMO_PASSWORD
from tests.conftest import ROOT
from tests.servers import Server
from tests.servers import running

PAGES = ("/docs", "/redoc")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
OUTPUT = ROOT / "test-output" / "docs"


class _References(HTMLParser):
    """URLs a page makes the browser load: scripts, stylesheets and icons, images, the spec."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "redoc": "spec-url"}.get(tag)
        self.urls += [value for name, value in attrs if name == wanted and value]

    def handle_data(self, data: str) -> None:
        self.urls += re.findall(r"\burl: '([^']+)'", data)  # SwaggerUIBundle({url: '…'})


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize("page", PAGES)
def test_a_docs_page_loads_every_asset_from_the_service(client, page):
    response = client.get(page)
    assert response.status_code == 200
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", response.text), "a URL to another host"
    urls = _references(response.text)
    assert any(u.endswith(".js") for u in urls) and any(u.endswith("openapi.json") for u in urls), urls
    base = f"http://testserver{page}"
    for url in urls:
        absolute = urljoin(base, url)
        assert urlsplit(absolute).netloc == "testserver", f"{page} loads {url} from another host"
        asset = client.get(absolute)
        assert asset.status_code == 200 and asset.content, url
        kind = {".js": "javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}
        expected = next((v for k, v in kind.items() if url.endswith(k)), "")
        assert expected in asset.headers["content-type"], (url, asset.headers["content-type"])


def test_the_swagger_login_redirect_page_is_served(client):
    response = client.get("/docs/oauth2-redirect")
    assert response.status_code == 200 and "oauth2" in response.text.lower()


def _browser_or_skip() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -e '.[dev]')")
    if missing:
        message = "browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[Server]:
    _browser_or_skip()
    with running(database) as [only]:
        yield only


def _operations(app) -> list[tuple[str, str]]:  # noqa: ANN001
    return [(op["operationId"], path) for path, ops in app.openapi()["paths"].items() for op in ops.values()]


# What shows that the page rendered each operation: Swagger UI prints operation ids and paths
# (zero-width spaces after each slash); ReDoc gives each operation a section named after its id.
_RENDERED = {
    "/docs": ".opblock",
    "/redoc": "[data-section-id^='operation/']",
}


@pytest.mark.parametrize("page_path", PAGES)
def test_the_docs_render_every_operation_in_a_browser_without_internet(server, app, page_path):
    from playwright.sync_api import sync_playwright

    operations = _operations(app)
    requested: list[str] = []
    failed: dict[str, str | None] = {}
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("request", lambda r: requested.append(r.url))
            page.on("requestfailed", lambda r: failed.update({r.url: r.failure}))
            page.goto(server.url + page_path, wait_until="networkidle")
            page.wait_for_function(
                "([selector, n]) => document.querySelectorAll(selector).length >= n",
                arg=[_RENDERED[page_path], len(operations)],
                timeout=60_000,
            )
            text = page.inner_text("body").replace("\u200b", "")
            sections = set(
                page.eval_on_selector_all(
                    "[data-section-id^='operation/']", "els => els.map(e => e.dataset.sectionId)"
                )
            )
            # Swagger UI lists every operation on one page; ReDoc's first screen lists the tags.
            page.screenshot(path=OUTPUT / f"{page_path.strip('/')}.png", full_page=page_path == "/docs")
        finally:
            browser.close()
    # blob: and data: URLs (ReDoc's search worker) are made in the page and never leave the browser.
    local = [url for url in requested if url.removeprefix("blob:").startswith((server.url + "/", "data:"))]
    assert local and not [url for url in local if url in failed], failed
    # Whatever else a script asks for (ReDoc's footer logo) the page's Content-Security-Policy
    # stops inside the browser: nothing is sent to another host.
    sent_elsewhere = [url for url in requested if url not in local and failed.get(url) != "csp"]
    assert sent_elsewhere == []
    for operation_id, path in operations:
        if page_path == "/docs":
            assert operation_id in text and path in text, (operation_id, path)
        else:
            assert f"operation/{operation_id}" in sections, operation_id


def test_a_user_logs_in_and_calls_an_operation_from_the_docs_page(server):
    """Under the Content-Security-Policy, Swagger UI still logs in (password flow) and tries operations."""
    from playwright.sync_api import sync_playwright

    operation = "#operations-auth-get_me"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(server.url + "/docs", wait_until="networkidle")
            page.click("button.authorize")
            page.fill("#oauth_username", "registrar")
            page.fill("#oauth_password", DEMO_PASSWORD)
            page.click(".auth-btn-wrapper button.authorize")
            page.click(".auth-btn-wrapper .btn-done")
            page.click(f"{operation} .opblock-summary-control")
            page.click(f"{operation} button.try-out__btn")
            page.click(f"{operation} button.execute")
            result = page.wait_for_selector(f"{operation} .live-responses-table", timeout=30_000)
            text = result.inner_text()
            result.scroll_into_view_if_needed()
            page.screenshot(path=OUTPUT / "docs-try-it-out.png")
        finally:
            browser.close()
    assert '"username": "registrar"' in text and '"case.create"' in text
