"""Accessibility in a real browser: axe-core (vendored for the test only, ``vendor/``) finds no
serious or critical violation on the answer page, at phone size in light mode and at desktop
size in dark mode (colour contrast included)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browserkit import DESKTOP, NEEDS_CHROMIUM, PHONE, Page

AXE = Path(__file__).parent / "vendor" / "axe.min.js"

pytestmark = NEEDS_CHROMIUM


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
