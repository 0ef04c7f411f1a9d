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
    """The real app: bundled catalog, estimator and planner (nothing injected)."""
    yield from _serve(create_app())


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


def _plan_via_api(base_url: str, body: dict[str, object]) -> dict[str, Any]:
    import httpx

    response = httpx.post(f"{base_url}/api/plan", json=body, timeout=60, trust_env=False)
    response.raise_for_status()
    plan: dict[str, Any] = response.json()
    return plan


def test_form_to_ranked_table_and_charts(page: Any, base_url: str) -> None:
    page.goto("/")
    page.wait_for_function("document.querySelectorAll('#model-list option').length > 10")
    models = page.eval_on_selector_all("#model-list option", "os => os.map(o => o.value)")
    assert "llama-3-8b" in models
    page.fill("#model", "llama-3-8b")
    page.select_option("#task", "inference")
    page.fill("#usage", "200")
    page.fill("#budget", "20000")
    page.click("#submit")
    page.wait_for_selector("#results:not([hidden])", timeout=60_000)

    plan = _plan_via_api(
        base_url, {"model": "llama-3-8b", "usage_hours_per_month": 200, "budget_usd": 20000}
    )
    options = plan["options"]
    rows = page.locator("#options tbody tr")
    assert rows.count() == len(options)
    first_ids = [rows.nth(i).get_attribute("data-option") for i in range(rows.count())]
    assert sorted(first_ids) == sorted(o["id"] for o in options)
    buy_rows = page.locator("#options tbody tr[data-tier=buy]")
    buy = [o for o in options if o["tier"] == "buy"]
    assert [buy_rows.nth(i).get_attribute("data-option") for i in range(len(buy))] == [
        o["id"]
        for o in buy  # the planner's ranking within the tier is kept
    ]
    assert buy_rows.first.locator("td").first.inner_text() == "1"
    assert page.locator("#options tbody tr:visible").count() < len(options)  # top 5 per tier
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-e2e.png"), full_page=True)
    page.check("#show-all")
    assert page.locator("#options tbody tr:visible").count() == len(options)

    tiers = {o["tier"] for o in options} - {"reference"}
    assert page.locator("#tiers .card").count() == len(tiers)
    recommended = plan["recommendation"]["option"]
    assert recommended is not None
    assert page.locator("#options tr.recommended").get_attribute("data-option") == recommended
    assert page.inner_text("#recommendation .why") == plan["recommendation"]["why"]
    assert "200 h/month" in page.inner_text("#recommendation .job")
    rec = next(o for o in options if o["id"] == recommended)
    # serving: every option serves the same hours, so time is the seconds one request takes
    assert f"{rec['request_s']:.1f} s/request" in page.inner_text("#recommendation .facts")
    rec_row = page.locator(f"#options tr[data-option='{recommended}'] td")
    assert rec_row.nth(6).inner_text() == "200 h/month"

    assert page.locator("#memory svg rect.mem-part").count() >= 1
    assert page.locator("#memory svg line.capacity").count() == 1
    assert page.locator("#break-even svg line.series").count() == 2  # buy and rent
    assert plan["job"]["kind"] == "serving"  # time axis: seconds per request
    assert "per request" in page.inner_text("#cost-time-caption")
    plotted = [o for o in options if o["request_s"] and o["cost_usd"] is not None]
    assert page.locator("#cost-time svg circle.point").count() == len(plotted)
    assert page.locator("#cost-time svg circle.recommended").count() == 1

    assert page.problems == []


def test_form_shows_the_error_message(page: Any) -> None:
    page.goto("/")
    page.fill("#model", "llama-3-8b")
    page.fill("#usage", "5000")
    page.click("#submit")
    page.wait_for_selector("#status.error")
    assert "usage_hours_per_month" in page.inner_text("#status")
    assert page.locator("#results").is_hidden()


def test_image_task_shows_its_own_fields_and_plans_by_hours(page: Any) -> None:
    page.goto("/")
    assert page.locator("#images").is_hidden()
    page.select_option("#task", "image")
    assert page.locator("#images").is_visible()
    assert page.locator("#tokens").is_hidden()
    page.fill("#model", "sdxl")
    page.fill("#images", "500")
    page.click("#submit")
    page.wait_for_selector("#results:not([hidden])", timeout=60_000)
    assert "500 images" in page.inner_text("#recommendation .job")
    assert "hours to finish" in page.inner_text("#cost-time-caption")
    assert page.locator("#cost-time svg circle.point").count() >= 1
    assert page.problems == []
