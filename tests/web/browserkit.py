"""Shared by the browser tests: Debian's headless Chromium driven by Playwright against the app
served by uvicorn on a loopback port; a page that records console errors, page errors and any
request to another host. Playwright never downloads a browser: ``/usr/bin/chromium`` is used,
installed in CI from ``.ci/apt-packages``; outside CI the tests skip when it is absent.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from loopback import serve_on_loopback

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}

NEEDS_CHROMIUM = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="/usr/bin/chromium is not installed (apt-get install chromium); CI always runs this",
    ),
]


def serve(app: Any) -> Iterator[str]:
    """Run ``app`` on a free loopback port in a thread; yield its base URL."""
    for port in serve_on_loopback(app):
        yield f"http://127.0.0.1:{port}"


class Page:
    """A page at one size that records console errors, page errors and requests leaving it."""

    def __init__(self, browser: Any, base_url: str, size: dict[str, int], dark: bool) -> None:
        self.context = browser.new_context(
            viewport=size,
            base_url=base_url,
            color_scheme="dark" if dark else "light",
            accept_downloads=True,
        )
        self.pg = self.context.new_page()
        self.size = size
        self.problems: list[str] = []
        self.plan_requests = 0
        self.pg.on("console", lambda m: m.type == "error" and self.problems.append(m.text))
        self.pg.on("pageerror", lambda e: self.problems.append(str(e)))

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith(base_url):
                self.plan_requests += url.endswith("/api/plan")
                route.continue_()
            else:
                self.problems.append(f"request to another host: {url}")
                route.abort()

        self.context.route("**/*", guard)

    def open(self, query: str = "", models: int = 10) -> None:
        self.pg.goto(f"/?{query}" if query else "/")
        self.pg.wait_for_function(
            f"document.querySelectorAll('#model-list option').length >= {models}"
        )

    def plan(self, action: Any) -> dict[str, Any]:
        """Run ``action`` (which starts a plan) and return the plan JSON the page received."""
        with self.pg.expect_response("**/api/plan", timeout=60_000) as answer:
            action()
        self.pg.wait_for_selector("#results:not([hidden]), #error:not([hidden])")
        data: dict[str, Any] = answer.value.json()
        return data

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        label = "phone" if self.size["width"] < 700 else "desktop"
        self.pg.screenshot(path=str(ARTIFACTS / f"web-{label}-{name}.png"))

    def no_horizontal_scroll(self) -> None:
        width = self.pg.evaluate("document.documentElement.scrollWidth")
        assert width <= self.size["width"], f"page is {width} px wide at {self.size['width']} px"

    def close(self) -> None:
        self.context.close()


def launch() -> Iterator[Any]:
    """Chromium for a test module (the body of its ``browser`` fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
