"""End to end in a real browser: Playwright drives Debian's headless Chromium against uvicorn.

At a phone (390x844) and a desktop (1440x900) size: every task kind planned from the form, the
answer first (scrolled to), no horizontal scroll, no console error, no request to another host;
bad input per field said in words next to the field; error -> cleared -> new result; the URL
reproduces the plan; JSON and CSV downloads; axe-core (vendored, test only) finds no serious or
critical violation in light and dark mode. Screenshots of each state go to ``artifacts/``.

Skipped only when ``/usr/bin/chromium`` is absent outside CI; in CI (``CI`` set) it must run
(``.ci/run`` installs chromium from ``.ci/apt-packages``). Playwright never downloads a browser.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spicetrader.web.app import create_app
from spicetrader.web.pages import PERSONAS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
USABLE = {"ok", "try_only"}

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


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The real app: bundled catalog, estimator and planner (nothing injected)."""
    yield from _serve(create_app())


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


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


@pytest.fixture
def open_page(browser: Any, base_url: str) -> Iterator[Any]:
    pages: list[Page] = []

    def make(size: dict[str, int], *, dark: bool = False) -> Page:
        page = Page(browser, base_url, size, dark)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()


def _status(option: dict[str, Any]) -> str:
    """The option's status (the planner's, or read from its flags on an older planner)."""
    if option.get("status"):
        return str(option["status"])
    if not option["fits"]:
        return "does_not_fit"
    return "ok" if option["feasible"] else "out"


def _check_answer(page: Page, plan: dict[str, Any]) -> None:
    pg = page.pg
    assert pg.locator("#error").is_hidden()
    assert pg.locator("#results").is_visible()
    # the answer first: the page scrolled to it, the first pick card is on screen
    top = pg.evaluate("document.getElementById('answer-title').getBoundingClientRect().top")
    assert -2 <= top < 80
    cards = pg.locator("#picks .pick")
    assert cards.count() >= 1
    recommended = plan["recommendation"]["option"]
    if recommended:
        assert cards.first.get_attribute("data-option") == recommended
        assert "Recommended" in cards.first.locator(".tags").inner_text()
        assert pg.locator("#options tr.recommended").get_attribute("data-option") == recommended
    text = pg.locator("#picks").inner_text() + pg.locator("#options").inner_text()
    assert "--" not in text  # no CLI flags
    assert "(the workload's tokens)" not in pg.inner_text("#job")
    # every option is a row; within a way in, usable options rank above the ones that are out
    rows = pg.locator("#options tbody tr[data-option]")
    assert rows.count() == len(plan["options"])
    by_id = {o["id"]: o for o in plan["options"]}
    order = rows.evaluate_all("rs => rs.map(r => [r.dataset.tier, r.dataset.option])")
    for tier in {t for t, _ in order}:
        flags = [_status(by_id[i]) in USABLE for t, i in order if t == tier]
        assert flags == sorted(flags, reverse=True), tier
    out = pg.locator("#options tr.out[data-status=does_not_fit] .badge")
    if out.count():
        assert out.first.inner_text() == "does not fit"
    # charts: the memory bar always, break-even only for recurring use, each with a text
    assert pg.locator("#memory-chart").is_visible()
    assert pg.inner_text("#memory-text").endswith(".")
    serving = plan["job"]["kind"] == "serving"
    if not serving:
        assert pg.locator("#break-even-box").is_hidden()
    for box in ("#break-even-box", "#cost-time-box"):
        if pg.locator(box).is_visible():
            assert pg.locator(f"{box} .chart-text").inner_text()
            assert pg.locator(f"{box} details table tr").count() >= 2
    page.no_horizontal_scroll()


@pytest.mark.parametrize("size", SIZES)
def test_every_task_kind_from_its_example(open_page: Any, size: dict[str, int]) -> None:
    page = open_page(size)
    page.open()
    page.shot("start")
    kinds = set()
    for persona in PERSONAS:
        link = page.pg.locator("a.persona", has_text=persona.title)
        plan = page.plan(link.click)
        kinds.add(plan["workload"]["task"])
        _check_answer(page, plan)
        task = page.pg.eval_on_selector("#f-task", "s => s.value")
        assert task == plan["workload"]["task"]
        page.pg.evaluate("window.scrollTo(0, 0)")
        page.pg.evaluate("document.getElementById('answer-title').scrollIntoView({block: 'start'})")
        page.shot(f"answer-{plan['workload']['model']}-{task}")
    assert kinds == {"inference", "finetune", "pretrain", "image"}
    assert page.problems == []


def test_qlora_from_the_form_plans_and_4bit_lora_is_explained(open_page: Any) -> None:
    page = open_page(DESKTOP)
    page.open()
    pg = page.pg
    pg.fill("#f-model", "mistral-7b")
    pg.select_option("#f-task", "finetune")
    assert pg.locator("#f-method").is_visible()
    assert pg.locator("#f-usage").is_hidden()
    pg.select_option("#f-precision", "nf4")
    pg.click("#submit")
    error = pg.locator("#e-precision")
    assert "QLoRA" in error.inner_text()
    assert page.plan_requests == 0
    pg.select_option("#f-method", "qlora")
    pg.fill("#f-ft_tokens", "50M")
    plan = page.plan(lambda: pg.click("#submit"))
    assert plan["workload"]["finetune"]["method"] == "qlora"
    assert plan["workload"]["finetune"]["tokens"] == 5e7
    assert plan["recommendation"]["option"] is not None
    assert "50 million tokens" in pg.inner_text("#job")
    assert page.problems == []


# A bad value per kind of check: words, not validator paths or flags.
BAD = [("abc", "is not a number"), ("1e", "is not a number"), ("-5", "must be")]


def test_bad_input_per_field_is_said_next_to_it(open_page: Any) -> None:
    page = open_page(PHONE)
    page.open()
    pg = page.pg
    tasks = pg.eval_on_selector_all("#f-task option", "os => os.map(o => o.value)")
    checked = 0
    for task in tasks:
        pg.select_option("#f-task", task)
        names = pg.eval_on_selector_all(
            "input[data-kind=number]", "is => is.filter(i => i.offsetParent).map(i => i.name)"
        )
        for name in names:
            for value, words in (BAD[checked % len(BAD)],):
                field = pg.locator(f"#f-{name}")
                before = field.input_value()
                field.fill(value)
                pg.click("#submit")
                error = pg.locator(f"#e-{name}")
                assert error.is_visible(), (task, name, value)
                message = error.inner_text()
                assert words in message, (name, value, message)
                assert "body." not in message
                assert "--" not in message
                assert field.get_attribute("aria-invalid") == "true"
                assert pg.locator("#results").is_hidden()
                if checked == 0:
                    page.shot("field-error")
                field.fill(before)
                checked += 1
    assert checked >= 12
    assert page.plan_requests == 0  # all caught before asking the server
    pg.uncheck("input[name=only][value=buy]")
    for tier in ("mac", "rent", "free"):
        pg.uncheck(f"input[name=only][value={tier}]")
    pg.click("#submit")
    assert "at least one" in pg.inner_text("#e-only")
    assert page.problems == []


def test_error_clears_the_old_answer_then_a_new_one_shows(open_page: Any) -> None:
    page = open_page(PHONE)
    page.open("model=llama-3-70b&task=inference&usage=200")
    pg = page.pg
    pg.wait_for_selector("#results:not([hidden])", timeout=60_000)
    page.pg.fill("#f-model", "no-such-model")
    answer = page.plan(lambda: pg.click("#submit"))
    assert answer["error"] == "UnknownNameError"
    assert pg.locator("#results").is_hidden()  # the 70B answer is gone
    assert pg.locator("#picks .pick").count() == 0 or pg.locator("#results").is_hidden()
    assert "Unknown model" in pg.inner_text("#e-model")
    assert pg.locator("#error").is_visible()
    page.shot("unknown-model")
    # a suggestion is one click away from a plan
    pg.fill("#f-model", "llama-3-405b")  # the server suggests llama-3.1-405b, llama-3-8b...
    page.plan(lambda: pg.click("#submit"))
    suggestion = pg.locator("#e-model button.suggestion", has_text="llama-3-8b")
    plan = page.plan(suggestion.click)
    assert plan["workload"]["model"] == "llama-3-8b"
    assert pg.locator("#results").is_visible()
    assert pg.locator("#e-model").is_hidden()
    # a model of the wrong kind for the task is said plainly, before asking the planner
    requests = page.plan_requests
    pg.fill("#f-model", "llama-3-8b")
    pg.select_option("#f-task", "image")
    pg.click("#submit")
    assert "language model" in pg.inner_text("#e-task")
    assert page.plan_requests == requests
    pg.select_option("#f-task", "inference")
    plan = page.plan(lambda: pg.click("#submit"))
    assert plan["workload"]["model"] == "llama-3-8b"
    assert pg.locator("#error").is_hidden()
    assert pg.locator("#e-model").is_hidden()
    assert "llama-3-8b" in pg.inner_text("#job")
    refused = "the server responded with a status of 422"  # Chromium logs the refused request
    assert [p for p in page.problems if refused not in p] == []


def test_model_box_suggests_ids_and_names_the_alias(open_page: Any, base_url: str) -> None:
    import httpx

    models = httpx.get(f"{base_url}/api/models", trust_env=False).json()
    aliased = next(m for m in models if m["aliases"] and "/" not in m["aliases"][-1])
    page = open_page(DESKTOP)
    page.open()
    pg = page.pg
    ids = pg.eval_on_selector_all("#model-list option", "os => os.map(o => o.value)")
    assert sorted(ids) == sorted(m["id"] for m in models)
    pg.fill("#f-model", aliased["aliases"][-1])
    hint = pg.inner_text("#h-model")
    assert aliased["name"] in hint
    assert aliased["id"] in hint
    assert page.problems == []


def test_the_url_reproduces_the_plan_and_downloads_match(open_page: Any, tmp_path: Path) -> None:
    page = open_page(DESKTOP)
    page.open()
    pg = page.pg
    pg.fill("#f-model", "llama-3-8b")
    pg.fill("#f-usage", "300")
    pg.fill("#f-budget", "20000")
    pg.check("#f-spot")
    plan = page.plan(lambda: pg.click("#submit"))
    url = pg.url
    assert "usage=300" in url
    assert "budget=20000" in url
    with pg.expect_download() as dl:
        pg.click("#download-json")
    target = tmp_path / "plan.json"
    dl.value.save_as(target)
    assert json.loads(target.read_text()) == plan
    with pg.expect_download() as dl:
        pg.click("#download-csv")
    target = tmp_path / "plan.csv"
    dl.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == len(plan["options"])
    assert {r["id"] for r in rows} == {o["id"] for o in plan["options"]}

    again = open_page(PHONE)
    replay = again.plan(lambda: again.pg.goto(url))
    assert replay["recommendation"] == plan["recommendation"]
    assert again.pg.input_value("#f-usage") == "300"
    assert again.pg.is_checked("#f-spot")
    assert page.problems == []
    assert again.problems == []


def _axe(page: Page) -> list[dict[str, Any]]:
    page.pg.add_script_tag(content=AXE.read_text())
    result: dict[str, Any] = page.pg.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize(
    ("size", "dark"), [pytest.param(PHONE, False, id="phone-light"),
                       pytest.param(DESKTOP, True, id="desktop-dark")],
)  # fmt: skip
def test_axe_finds_no_serious_violation(open_page: Any, size: dict[str, int], dark: bool) -> None:
    page = open_page(size, dark=dark)
    page.plan(lambda: page.pg.goto("/?model=llama-3-70b&task=inference&usage=200&months=24"))
    page.pg.eval_on_selector_all("details", "ds => ds.forEach(d => d.open = true)")
    page.shot("dark" if dark else "light")
    violations = _axe(page)
    summary = [(v["id"], v["help"], [n["target"] for n in v["nodes"][:3]]) for v in violations]
    assert violations == [], summary
    assert page.problems == []


# ---- the planner's picks, statuses and owned net cost (the agreed plan JSON) ------------------


class _Picked:
    """The fake plan with the fields of the agreed contract: picks with reasons, a status and its
    reason per option, the owned option's net cost."""

    def __init__(self, plan: Any) -> None:
        self.plan = plan

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = dict(self.plan.to_dict())
        opts = {o["tier"]: o for o in data["options"]}
        for o in data["options"]:
            o["status"], o["status_reason"] = "ok", None
        opts["mac"]["status"] = "over_budget"
        opts["mac"]["status_reason"] = "costs $6,599, over the budget of $5,000 (--budget-usd)"
        opts["free"]["status"] = "try_only"
        own = opts["buy"]["ownership"]
        own.update(
            cash_out_usd=3600.0,
            value_left_usd=2900.0,
            net_cost_usd=700.0,
            break_even_never_reason=None,
        )
        data["picks"] = {
            "recommended": {"option": opts["rent"]["id"], "reason": "cheapest that fits"},
            "cheapest": {"option": opts["rent"]["id"], "reason": "lowest cost"},
            "best_owned": {"option": opts["buy"]["id"], "reason": "lowest net cost to own"},
            "free_to_try": {"option": opts["free"]["id"], "reason": "a notebook to try it"},
        }
        data["recommendation"] = {"option": opts["rent"]["id"], "why": "cheapest that fits"}
        return data


@pytest.fixture(scope="module")
def picked_url() -> Iterator[str]:
    from webfakes import fake_estimate, fake_models, fake_plan, small_catalog

    def planner(workload: Any, catalog: Any, constraints: Any) -> _Picked:
        return _Picked(fake_plan(workload, catalog, constraints))

    app = create_app(
        catalog=small_catalog(), estimator=fake_estimate, planner=planner, models=fake_models
    )
    yield from _serve(app)


def test_picks_statuses_and_net_cost_are_shown(browser: Any, picked_url: str) -> None:
    page = Page(browser, picked_url, DESKTOP, dark=False)
    try:
        page.open(models=2)
        plan = page.plan(lambda: page.pg.click("#submit"))
        pg = page.pg
        cards = pg.locator("#picks .pick")
        picks = plan["picks"]
        # one card per option, its labels merged, in the order recommended, cheapest, ...
        assert cards.count() == 3
        assert cards.nth(0).get_attribute("data-option") == picks["recommended"]["option"]
        assert cards.nth(0).locator(".tag").all_inner_texts() == ["Recommended", "Cheapest"]
        assert cards.nth(0).locator(".reason").inner_text() == "cheapest that fits"
        assert cards.nth(1).get_attribute("data-option") == picks["best_owned"]["option"]
        assert "$700 net" in cards.nth(1).inner_text()
        assert "worth about $2,900" in cards.nth(1).inner_text()
        assert cards.nth(2).locator(".tag").all_inner_texts() == ["Free to try"]
        mac = pg.locator("#options tr[data-tier=mac]")
        assert mac.locator(".badge").inner_text() == "over budget"
        assert mac.locator(".why").inner_text() == "costs $6,599, over the budget of $5,000"
        free = pg.locator("#options tr[data-tier=free] .badge")
        assert free.inner_text() == "to try it out"
        assert page.problems == []
    finally:
        page.close()
