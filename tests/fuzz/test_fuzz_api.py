"""Fuzz the JSON API with schemathesis (requests generated from the OpenAPI document, valid and
invalid): never a 5xx, strict JSON (no NaN/Infinity), and a model that names a file or a Hub
repo is never computed with (the web surface is closed).

The real app: bundled catalog, estimator and planner. The Hub and the model-file reader are
replaced by functions that fail the test if they are ever called.
"""

from __future__ import annotations

import pytest
import schemathesis
from fuzzcheck import assert_strict_json
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from conftest import SCALE, FuzzCounts
from spicetrader.web.app import create_app

app = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app).include(path_regex="^/api/")


pytestmark = pytest.mark.usefixtures("no_hub_no_files")  # tests/conftest.py


def _model(case: schemathesis.Case) -> object:
    body = case.body if isinstance(case.body, dict) else {}
    return body.get("model")


@schema.parametrize()
@settings(
    max_examples=15 * SCALE,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api(case: schemathesis.Case, fuzz_counts: FuzzCounts) -> None:
    fuzz_counts["api: schemathesis"] += 1
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    content_type = response.headers.get("content-type") or [""]
    if str(content_type[0]).startswith("application/json"):
        assert_strict_json(response.text)
    model = _model(case)
    if (
        isinstance(model, str)
        and response.status_code == 200
        and case.path.endswith(("/estimate", "/plan"))
    ):
        from spicetrader.models.registry import looks_like_path

        assert not looks_like_path(model.strip()), model
