"""Robustness: schemathesis generates requests from the OpenAPI document (valid and invalid ones)
and the app must never answer 5xx. Bounded: at most 50 examples per operation, no deadline.

Two apps: the real one (bundled catalog, estimator, planner: finds 5xx anywhere in the stack)
and one with fakes (the web layer alone, fast and independent of the core's progress).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from webfakes import fake_estimate, fake_models, fake_plan, small_catalog

from spicetrader.web.app import create_app

API = "^/api/"
real = schemathesis.openapi.from_asgi("/openapi.json", create_app()).include(path_regex=API)
fake = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(
        catalog=small_catalog(), estimator=fake_estimate, planner=fake_plan, models=fake_models
    ),
).include(path_regex=API)

BOUNDED = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))


@real.parametrize()
@BOUNDED
def test_real_app_never_answers_5xx(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])


@fake.parametrize()
@BOUNDED
def test_web_layer_never_answers_5xx(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
