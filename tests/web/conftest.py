"""Fixtures of the web tests: an app on a small catalog with fake estimator and planner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
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
