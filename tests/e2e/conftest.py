"""Browser tests: a seeded portal served by uvicorn on loopback, driven by Chromium.

The machine's Chromium (``/usr/bin/chromium``) is used; Playwright's own browsers are never
downloaded. Without it the tests skip, or fail when ``ASHYQ_REQUIRE_BROWSER`` is set (CI).
Screenshots go to ``test-artifacts/screenshots/`` at the repository root.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Locator, Page, Playwright, sync_playwright

from ashyq.settings import Settings
from ashyq.synth.survey import synthesize_survey
from ashyq.web import create_app
from tests.portal_support import seed

CHROMIUM = Path("/usr/bin/chromium")
# The machine's network is closed: without these Chromium waits on connections it opens itself.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
# WCAG 2.1 levels A and AA; only violations are collected.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
# How long one browser action or assertion may wait before the test fails.
TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class LivePortal:
    """A seeded portal served over HTTP: its address, data directory and demo passwords."""

    base_url: str
    home: Path
    passwords: dict[str, str]


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    """The machine's Chromium; skips (or fails with ``ASHYQ_REQUIRE_BROWSER``) without it."""
    if not CHROMIUM.exists():
        message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("ASHYQ_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def playwright(chromium_path: Path) -> Iterator[Playwright]:
    with sync_playwright() as started:
        yield started


@pytest.fixture(scope="session")
def browser(playwright: Playwright, chromium_path: Path) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield launched
    finally:
        launched.close()


def _wait_until_up(base_url: str, server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the portal's server stopped while starting")
        if server.started:
            try:
                with urllib.request.urlopen(f"{base_url}/api/v1/periods", timeout=5):
                    return
            except urllib.error.HTTPError as error:
                # It answers, but wrongly: no point waiting.
                body = error.read().decode("utf-8", "replace")[:1000]
                raise RuntimeError(f"the portal answers HTTP {error.code}: {body}") from None
            except (urllib.error.URLError, OSError):
                pass
        time.sleep(0.05)
    raise RuntimeError(f"the portal did not answer at {base_url} within 30 s")


@pytest.fixture(scope="module")
def live_portal(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: Path
) -> Iterator[LivePortal]:
    """A freshly seeded SQLite portal (2025 published, 2026 open for disputes, surveys of
    2024-2025 stored), served by uvicorn in a background thread on a free loopback port."""
    folder = tmp_path_factory.mktemp("live-portal")
    home = folder / "home"
    url = f"sqlite:///{folder / 'portal.sqlite3'}"
    passwords = seed(url, home)
    # Two years of a small synthetic survey, so /monitoring shows rankings and charts.
    synthesize_survey([2024, 2025], home, seed=3, scale=0.25, layout="store")
    app = create_app(Settings(home=home, database_url=url))
    # Bind the socket here, so the port is ours before the server starts.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="ashyq-e2e-server", daemon=True
    )
    thread.start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, server, thread)
        yield LivePortal(base_url, home, passwords)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        app.state.portal.engine.dispose()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where screenshots go (created)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


NewContext = Callable[..., BrowserContext]


@pytest.fixture
def new_context(browser: Browser, live_portal: LivePortal) -> Iterator[NewContext]:
    """Open a browser context on the live portal (own cookies: one person); all are closed
    after the test. Keyword arguments go to ``Browser.new_context``."""
    opened: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        context = browser.new_context(base_url=live_portal.base_url, locale="ru-RU", **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def page_text(page: Page) -> str:
    """The visible text of the page's main content (or body), for failure messages."""
    main = page.locator("main")
    return (main.inner_text() if main.count() else page.inner_text("body"))[:2000]


def visit(page: Page, url: str, status: int = 200) -> None:
    """Go to ``url`` and check the status of the page it ends on."""
    response = page.goto(url)
    assert response is not None, url
    assert response.status == status, f"{url}: HTTP {response.status}\n{page_text(page)}"


def submit(page: Page, button: Locator) -> None:
    """Click a form's submit button; the page it leads to (after redirects) must be a success."""
    with page.expect_navigation() as navigation:
        button.click()
    response = navigation.value
    assert response is not None, f"no response after submitting from {page.url}"
    assert response.status < 400, f"{page.url}: HTTP {response.status}\n{page_text(page)}"


def sign_in(context: BrowserContext, username: str, password: str) -> Page:
    """Sign in through the login form; returns the page, on the workspace."""
    page = context.new_page()
    visit(page, "/login?lang=en")
    page.fill("#username", username)
    page.fill("#password", password)
    submit(page, page.locator("form[action='/login'] button[type=submit]"))
    assert page.url.endswith("/workspace"), page.url
    return page


def run_axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of the WCAG 2.1 A and AA rules on the page as it is now.

    axe is injected as an inline script, which the portal's CSP (``script-src 'self'``)
    blocks: the page's context must be opened with ``bypass_csp=True``.
    """
    page.add_script_tag(path=str(AXE))
    violations: list[dict[str, Any]] = page.evaluate(
        "async options => (await axe.run(document, options)).violations", AXE_OPTIONS
    )
    return violations


def describe_violations(violations: list[dict[str, Any]]) -> str:
    """One line per violated rule: id, impact, help, and the first elements' selectors."""
    lines = []
    for violation in violations:
        nodes = violation["nodes"]
        targets = "; ".join(" ".join(map(str, node["target"])) for node in nodes[:3])
        more = f" (+{len(nodes) - 3} more)" if len(nodes) > 3 else ""
        lines.append(
            f"- {violation['id']} [{violation['impact']}]: {violation['help']} "
            f"({len(nodes)} elements) — {targets}{more}\n  {violation['helpUrl']}"
        )
    return "\n".join(lines)
