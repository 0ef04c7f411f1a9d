"""Fixtures of the web tests: an app on a small catalog with fake estimator and planner; for the
browser tests, the real app on a loopback port, Chromium, and pages at a given size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from browserkit import Page, launch, serve
from fastapi.testclient import TestClient
from webfakes import fake_estimate, fake_models, fake_plan, small_catalog

from spicetrader.web.app import create_app


@pytest.fixture
def client() -> Iterator[TestClient]:
    app = create_app(
        catalog=small_catalog(), estimator=fake_estimate, planner=fake_plan, models=fake_models
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The real app (bundled catalog, estimator and planner) served on a free loopback port."""
    yield from serve(create_app())


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    yield from launch()


@pytest.fixture
def open_page(browser: Any, base_url: str) -> Iterator[Callable[..., Page]]:
    """``open_page(size, dark=False)``: a new page on the real app, closed after the test."""
    pages: list[Page] = []

    def make(size: dict[str, int], *, dark: bool = False) -> Page:
        page = Page(browser, base_url, size, dark)
        pages.append(page)
        return page

    yield make
    for page in pages:
        page.close()
