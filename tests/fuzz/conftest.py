"""The fuzz suite's budget and its counts.

Profiles: ``fuzz`` (the default: bounded so the whole suite runs in about a minute in CI) and
``fuzz-long`` (``SPICE_FUZZ=long``: 20 times the examples, for a local campaign). Every fuzz test
records how many inputs it tried in the session's :class:`FuzzCounts`; the totals are printed at
the end of the run and, with ``SPICE_FUZZ_REPORT=path.json``, written there (docs/reliability.md
quotes them). An input that lets an unexpected exception escape fails its test, so a passing run
means 0 escapes.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

LONG = os.environ.get("SPICE_FUZZ", "") == "long"
SCALE = 20 if LONG else 1

settings.register_profile(
    "fuzz",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    derandomize=False,
    print_blob=True,
)  # fmt: skip


def examples(n: int) -> settings:
    """Settings for a fuzz test: ``n`` examples in CI (20n with SPICE_FUZZ=long)."""
    return settings(settings.get_profile("fuzz"), max_examples=n * SCALE)


class FuzzCounts(Counter[str]):
    """Inputs tried per fuzz target."""


_COUNTS = FuzzCounts()


@pytest.fixture(scope="session")
def fuzz_counts() -> FuzzCounts:
    return _COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _COUNTS:
        return
    total = sum(_COUNTS.values())
    terminalreporter.write_sep("-", f"fuzz: {total:,} inputs tried")
    for target, count in sorted(_COUNTS.items()):
        terminalreporter.write_line(f"  {target:<28} {count:>8,}")
    report = os.environ.get("SPICE_FUZZ_REPORT")
    if report:
        Path(report).write_text(
            json.dumps({"long": LONG, "total": total, "targets": dict(sorted(_COUNTS.items()))},
                       indent=2) + "\n"
        )  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A failing example may be large (a 5,000-digit number): let hypothesis show it anyway."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.filterwarnings("ignore:Generating overly large repr"))
            if LONG:  # 20 times the examples: past the suite's 300 s per test
                item.add_marker(pytest.mark.timeout(3600))
