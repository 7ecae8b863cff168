"""A served portal on PostgreSQL and MinIO, Debian's Chromium, and a check for every page.

Playwright's own browser download cannot work here, so the tests launch the system's
``chromium`` (``PORTAL_TEST_CHROMIUM`` names another). Without it the browser tests skip,
unless ``PORTAL_TEST_REQUIRE`` names ``chromium`` (CI does): then they fail.

Every page a journey reaches goes through ``Pages.check``: axe-core (the copy bundled by
axe-playwright-python, injected with ``page.evaluate`` so the portal's CSP need not be
bypassed) must report no serious or critical violation, and the page is screenshotted
into ``test-artifacts/screenshots`` (kept by CI, never committed).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from tests.servers import required_services
from tests.servers.postgres import PostgresServer
from tests.servers.s3 import S3Endpoint
from tests.web.live import LivePortal, live_portal

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def chromium_path() -> str | None:
    configured = os.environ.get("PORTAL_TEST_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


# Per module, not per session: while Playwright's sync API is open it runs an event loop
# in the main thread, and every pytest-asyncio test after it would fail with "Runner.run()
# cannot be called from a running event loop".
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        if "chromium" in required_services():
            pytest.fail("chromium is required (PORTAL_TEST_REQUIRE) but not installed")
        pytest.skip("chromium is not installed (apt-get install chromium fonts-liberation)")
    # Root cannot use Chromium's sandbox; as any other user it stays on.
    args = ["--no-sandbox"] if os.getuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=args)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def live(postgres: PostgresServer, minio_endpoint: S3Endpoint) -> Iterator[LivePortal]:
    url = postgres.create_database(f"browser_{int(time.time() * 1000) % 10**9}")
    with live_portal(database_url=url, minio=minio_endpoint) as portal:
        yield portal


@dataclass
class Pages:
    """The pages one test visits: each checked with axe and screenshotted."""

    test_name: str
    axe: Axe = field(default_factory=Axe)
    seen: int = 0

    def check(self, page: Page, name: str) -> None:
        self.seen += 1
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{self.test_name}-{self.seen:02d}-{_slug(name)}.png"
        page.screenshot(path=str(path), full_page=True)
        results: Any = self.axe.run(page)
        blocking = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} at "
            + ", ".join(str(node["target"]) for node in violation["nodes"][:3])
            for violation in results.response["violations"]
            if violation.get("impact") in BLOCKING_IMPACTS
        ]
        assert blocking == [], f"axe on {name} ({page.url}): " + "; ".join(blocking)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    opened = browser.new_context(locale="nl-NL", timezone_id="Europe/Amsterdam")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def pages(request: pytest.FixtureRequest) -> Pages:
    return Pages(test_name=_slug(request.node.name))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80]
