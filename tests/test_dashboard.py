"""``/dashboard``, the command center's screen: served with every asset from the service under a strict
Content-Security-Policy; in Debian's headless Chromium a director logs in, the charts and the
early-warning board show the figures the API returns, the page refreshes itself when a case is
filed, and a board row leads to its case; a user without the statistics permission is told so.
Screenshots go to ``test-output/dashboard/``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any
from urllib.parse import urljoin
from urllib.parse import urlsplit

import httpx
import pytest

from app.dashboard import CONTENT_SECURITY_POLICY
from app.settings import court_today
from tests.conftest import DEMO_PASSWORD
from tests.conftest import ROOT
from tests.factories import close_directly
from tests.factories import make_fast_case
from tests.factories import make_filed_case
from tests.factories import make_team_case
from tests.servers import Server
from tests.servers import running
from tests.test_api_docs import CHROMIUM
from tests.test_api_docs import CHROMIUM_ARGS
from tests.test_api_docs import _browser_or_skip
from tests.test_api_docs import _references

OUTPUT = ROOT / "test-output" / "dashboard"
TODAY = court_today()


def test_the_dashboard_loads_every_asset_from_the_service_under_a_strict_policy(client):
    page = client.get("/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert (
        policy == CONTENT_SECURITY_POLICY and "unsafe-inline" not in policy and "default-src 'none'" in policy
    )
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.text), "a URL to another host"
    assets = [url for url in _references(page.text) if not url.startswith("data:")]
    assert {
        "/dashboard/assets/dashboard.js",
        "/dashboard/assets/charts.js",
        "/dashboard/assets/dashboard.css",
    } <= set(assets)
    for url in assets:
        absolute = urljoin("http://testserver/dashboard", url)
        assert urlsplit(absolute).netloc == "testserver"
        asset = client.get(absolute)
        assert asset.status_code == 200 and asset.content, url
        assert "http://" not in asset.text.replace("http://www.w3.org/2000/svg", ""), url


@pytest.fixture
def court() -> None:
    """Cases in three units, some closed, and clocks overdue and due soon."""
    this_month = TODAY.replace(day=1)
    for n in range(3):
        make_team_case(1, filed_on=this_month - timedelta(days=40 * n))
    terminated = make_team_case(2, filed_on=this_month - timedelta(days=70))
    close_directly(terminated, "terminated_current", this_month)
    close_directly(
        make_fast_case(filed_on=this_month - timedelta(days=35)), "performed", this_month - timedelta(days=20)
    )
    make_fast_case(filed_on=this_month)
    make_filed_case(
        TODAY - timedelta(days=200), state="in_progress", unit_code="brigade-3", handler="brigade3-judge"
    )
    make_filed_case(TODAY - timedelta(days=40), state="in_progress", unit_code="fast", handler="fast-judge")
    make_filed_case(
        TODAY - timedelta(days=1), state="in_progress", unit_code="brigade-1", handler="brigade1-judge"
    )


@pytest.fixture(scope="module")
def server(database: str) -> Iterator[Server]:
    _browser_or_skip()
    with running(database) as [only]:
        yield only


def _api(server: Server, username: str, path: str) -> dict:
    login = httpx.post(
        f"{server.url}/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD}, timeout=30
    )
    token = login.json()["access_token"]
    response = httpx.get(
        f"{server.url}/api/v1{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()


@contextmanager
def _browser_page(width: int = 1920, height: int = 1080) -> Iterator[Any]:
    """A page of Debian's headless Chromium, the screen size of the command center's by default."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


def _log_in(page, server: Server, username: str) -> None:  # noqa: ANN001
    page.goto(f"{server.url}/dashboard?refresh=2", wait_until="networkidle")
    page.fill("#login input[name=username]", username)
    page.fill("#login input[name=password]", DEMO_PASSWORD)
    page.click("#login button[type=submit]")


def _figure(page, name: str) -> str:  # noqa: ANN001
    """The value drawn for figure ``name``: a column's data-value, else the text shown."""
    node = page.locator(f"[data-figure='{name}']")
    return node.get_attribute("data-value") or node.text_content() or ""


def test_a_director_reads_the_figures_the_api_returns_and_follows_a_board_row(server, court):
    overview = _api(server, "director", "/stats/overview")
    trends = _api(server, "director", "/stats/trends")
    workload = _api(server, "director", "/stats/workload")
    deadlines = _api(server, "director", "/stats/deadlines")
    board = _api(server, "director", "/deadlines?status=overdue&limit=15")
    assert deadlines["total"]["overdue"] and board["items"]
    requested: list[str] = []
    errors: list[str] = []
    OUTPUT.mkdir(parents=True, exist_ok=True)
    with _browser_page() as page:
        page.on("request", lambda r: requested.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        _log_in(page, server, "director")
        page.wait_for_selector("#board-rows a", timeout=30_000)
        page.wait_for_selector("#chart-months svg rect", state="attached", timeout=30_000)

        assert _figure(page, "tile/cases_total") == str(overview["cases_total"])
        assert _figure(page, "tile/open") == str(overview["cases_total"] - overview["by_state"]["closed"])
        assert _figure(page, "tile/overdue") == str(deadlines["total"]["overdue"])
        assert _figure(page, "tile/due_soon") == str(deadlines["total"]["due_soon"])
        for code, counts in overview["by_unit"].items():
            assert _figure(page, f"open-by-unit/{code}") == str(counts["open"]), code
        assert _figure(page, "track/simple").startswith(f"{overview['by_track']['simple']} (")
        for i, month in enumerate(trends["months"]):
            assert _figure(page, f"months/filed/{month}") == str(trends["total"]["filed"][i]), month
            assert _figure(page, f"months/closed/{month}") == str(trends["total"]["closed"][i]), month
        for unit, counts in deadlines["by_unit"].items():
            assert _figure(page, f"deadlines/over/{unit}") == str(counts["overdue"]), unit
            assert _figure(page, f"deadlines/soon/{unit}") == str(counts["due_soon"]), unit
        for judge in workload["judges"]:
            assert _figure(page, f"workload/{judge['username']}") == str(judge["open_cases"])
        links = page.eval_on_selector_all("#board-rows a", "as => as.map(a => a.textContent)")
        assert links == [item["case_number"] for item in board["items"] if item["case_id"]]
        page.screenshot(path=OUTPUT / "dashboard.png")

        # Polling: a case filed now shows up without the page being reloaded.
        refreshed = int(page.get_attribute("body", "data-refreshed") or 0)
        make_team_case(4, filed_on=TODAY)
        page.wait_for_function(
            "n => Number(document.body.dataset.refreshed) > n + 1", arg=refreshed, timeout=30_000
        )
        assert _figure(page, "tile/cases_total") == str(overview["cases_total"] + 1)
        assert _figure(page, "open-by-unit/brigade-4") == "1"

        first = board["items"][0]
        page.click("#board-rows a >> nth=0")
        page.wait_for_selector("#case:not([hidden]) #case-deadlines tr", timeout=30_000)
        assert page.inner_text("#case-number") == first["case_number"]
        assert first["rule"] in page.inner_text("#case-deadlines")
        assert page.url.endswith(f"#case/{first['case_id']}")
        page.screenshot(path=OUTPUT / "dashboard-case.png")
        page.click("#case-back")
        page.wait_for_selector("#board:not([hidden])")
    assert errors == []
    assert [url for url in requested if not url.startswith((server.url + "/", "data:"))] == []


def test_a_user_without_the_statistics_permission_is_told_so(server):
    errors: list[str] = []
    with _browser_page() as page:
        page.on("pageerror", lambda e: errors.append(str(e)))
        _log_in(page, server, "registrar")
        page.wait_for_selector("#denied:not([hidden])", timeout=30_000)
        text = page.inner_text("#denied")
        assert page.is_hidden("#board") and page.is_hidden("#login")
        page.screenshot(path=OUTPUT / "dashboard-denied.png")
    assert "registrar" in text and "stats.read" in text and "无权查看统计" in text
    assert errors == []


def test_a_wrong_password_is_refused_on_the_login_form(server):
    with _browser_page(1280, 800) as page:
        page.goto(f"{server.url}/dashboard", wait_until="networkidle")
        page.fill("#login input[name=username]", "director")
        page.fill("#login input[name=password]", "not-the-password")
        page.click("#login button[type=submit]")
        page.wait_for_selector("#login-error:not(:empty)", timeout=30_000)
        assert "password" in page.inner_text("#login-error").lower()
        assert page.is_visible("#login") and page.is_hidden("#board")
