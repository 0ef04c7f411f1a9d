"""End to end in a real browser: Playwright drives Debian's headless Chromium against uvicorn.

Skipped only when ``/usr/bin/chromium`` is absent outside CI; in CI (``CI`` set) it must run
(``.ci/run`` installs chromium from ``.ci/apt-packages``). Playwright never downloads a browser.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from webfakes import fake_estimate, fake_models, fake_plan, small_catalog

from spicetrader.web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="/usr/bin/chromium is not installed (apt-get install chromium); CI always runs this",
    ),
]


def _serve(app: Any) -> Iterator[str]:
    """Run ``app`` with uvicorn on a free loopback port in a thread; yield its base URL."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            thread.join(0.05)
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture
def base_url() -> Iterator[str]:
    app = create_app(
        catalog=small_catalog(), estimator=fake_estimate, planner=fake_plan, models=fake_models
    )
    yield from _serve(app)


@pytest.fixture
def page(base_url: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            pg = browser.new_page(viewport={"width": 1200, "height": 900}, base_url=base_url)
            pg.problems = []  # console errors, page errors, requests leaving the machine
            pg.on("console", lambda m: m.type == "error" and pg.problems.append(m.text))
            pg.on("pageerror", lambda e: pg.problems.append(str(e)))

            def guard(route: Any) -> None:
                if route.request.url.startswith(base_url):
                    route.continue_()
                else:
                    pg.problems.append(f"external request {route.request.url}")
                    route.abort()

            pg.route("**/*", guard)
            yield pg
        finally:
            browser.close()


def test_form_to_ranked_table_and_charts(page: Any) -> None:
    page.goto("/")
    page.wait_for_function("document.querySelectorAll('#model-list option').length > 0")
    assert page.locator("#model-list option").first.get_attribute("value") == "llama-3-8b"
    page.fill("#model", "llama-3-8b")
    page.select_option("#task", "inference")
    page.fill("#usage", "200")
    page.fill("#budget", "20000")
    page.click("#submit")
    page.wait_for_selector("#results:not([hidden])")

    rows = page.locator("#options tbody tr")
    assert rows.count() == 4  # one option per tier in the fake plan
    assert [rows.nth(i).locator("td").first.inner_text() for i in range(4)] == ["1", "2", "3", "4"]
    assert page.locator("#tiers .card").count() == 4
    assert "free" in page.inner_text("#recommendation")  # the fake's cheapest: the free tier
    assert page.inner_text("#recommendation .why") == "cheapest feasible option"
    assert "200 h/month" in page.inner_text("#recommendation .job")

    assert page.locator("#memory svg rect.mem-part").count() >= 1
    assert page.locator("#memory svg line.capacity").count() == 1
    assert page.locator("#break-even svg line.series").count() == 2  # buy and rent
    assert page.locator("#break-even svg circle.break-even-point").count() == 1
    assert page.locator("#cost-time svg circle.point").count() == 3  # the free one costs $0
    assert page.locator("#cost-time svg circle.recommended").count() == 1

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-e2e.png"), full_page=True)
    assert page.problems == []


def test_form_shows_the_error_message(page: Any) -> None:
    page.goto("/")
    page.fill("#model", "llama-3-8b")
    page.fill("#usage", "5000")
    page.click("#submit")
    page.wait_for_selector("#status.error")
    assert "usage_hours_per_month" in page.inner_text("#status")
    assert page.locator("#results").is_hidden()
