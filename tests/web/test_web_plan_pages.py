"""``POST /api/plan``, the HTML page, the static files and the offline API docs."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from webfakes import fake_estimate, fake_models, fake_plan, small_catalog

from spicetrader.spec.estimate import Estimate
from spicetrader.spec.workload import Workload
from spicetrader.web.app import create_app


def test_plan_takes_constraints_next_to_the_workload(client: TestClient) -> None:
    response = client.post(
        "/api/plan", json={"model": "llama-3-8b", "usage_hours_per_month": 200, "budget_usd": 9e3}
    )
    assert response.status_code == 200
    plan = response.json()
    assert plan["job"]["usage_hours_per_month"] == 200
    assert plan["workload"]["model"] == "llama-3-8b"
    assert "usage_hours_per_month" not in plan["workload"]  # constraints are not workload fields
    assert {o["tier"] for o in plan["options"]} == {"buy", "mac", "rent", "free"}
    assert plan["recommendation"]["option"] in {o["id"] for o in plan["options"]}


def test_plan_only_limits_the_tiers(client: TestClient) -> None:
    plan = client.post("/api/plan", json={"model": "llama-3-8b", "only": ["rent"]}).json()
    assert [o["tier"] for o in plan["options"]] == ["rent"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"only": ["reference"]}, "only"),  # not a tier one can choose
        ({"only": ["rent"], "private": True}, "private"),  # private excludes renting
        ({"usage_hours_per_month": 1000}, "usage_hours_per_month"),  # more than a month has
        ({"only": []}, "only"),
        ({"budget_usd": -1}, "budget_usd"),
    ],
)
def test_impossible_constraints_are_422(
    client: TestClient, extra: dict[str, object], field: str
) -> None:
    response = client.post("/api/plan", json={"model": "llama-3-8b", **extra})
    assert response.status_code == 422
    assert field in response.json()["message"]


def test_plan_rejects_unknown_fields(client: TestClient) -> None:
    response = client.post("/api/plan", json={"model": "llama-3-8b", "usage_per_month": 3})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "usage_per_month"]


def test_a_crash_in_the_core_is_a_json_500_without_details() -> None:
    def broken(workload: Workload, catalog: object) -> Estimate:
        raise ZeroDivisionError("secret internals")

    app = create_app(catalog=small_catalog(), estimator=broken, planner=fake_plan)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post("/api/estimate", json={"model": "x", "hardware": "rtx-4090"})
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError"
    assert "secret" not in response.text


def test_index_page_has_the_form_and_local_assets_only(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    for element in ("workload-form", "model-list", "f-task", "f-usage", "f-deadline", "f-budget",
                    "break-even-chart", "cost-time-chart", "memory-chart", "options"):  # fmt: skip
        assert f'id="{element}"' in html
    assert '<option value="pretrain">' in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls
    local = [u for u in urls if u.startswith("/") and not u.startswith("//")]
    assert local == [u for u in urls if not u.startswith(("data:", "#"))], urls  # nothing remote


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/static/app.js", "javascript"), ("/static/charts.js", "javascript"),
     ("/static/vendor/chart.umd.min.js", "javascript"), ("/static/style.css", "text/css")],
)  # fmt: skip
def test_static_files_are_served(client: TestClient, path: str, kind: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert kind in response.headers["content-type"]


def test_api_docs_work_offline(client: TestClient) -> None:
    docs = client.get("/docs").text
    scripts = re.findall(r"<script src=['\"]([^'\"]+)", docs)
    assert scripts
    assert all(s.startswith("/") for s in scripts), scripts
    for script in scripts:
        assert client.get(script).status_code == 200
    schema = client.get("/openapi.json").json()
    for path in ("/api/estimate", "/api/plan", "/api/hardware", "/api/models", "/api/offers"):
        assert path in schema["paths"]
    plan_body = schema["components"]["schemas"]["PlanRequest"]["properties"]
    assert {"model", "usage_hours_per_month", "deadline_hours", "budget_usd"} <= set(plan_body)


def test_apps_do_not_share_state() -> None:
    a = create_app(catalog=small_catalog(), estimator=fake_estimate, models=fake_models)
    b = create_app(catalog=small_catalog(), estimator=fake_estimate, models=lambda: ())
    with TestClient(a) as ca, TestClient(b) as cb:
        assert len(ca.get("/api/models").json()) == 2
        assert cb.get("/api/models").json() == []


def test_every_planner_constraint_can_be_given() -> None:
    from dataclasses import fields

    from spicetrader.planner.constraints import PlanConstraints
    from spicetrader.web.schemas import CONSTRAINT_FIELDS

    assert {f.name for f in fields(PlanConstraints)} == CONSTRAINT_FIELDS


def test_constraints_reach_the_planner_unchanged() -> None:
    from spicetrader.planner.constraints import PlanConstraints, Tier
    from spicetrader.web.schemas import PlanRequest

    body = {"model": "llama-3-8b", "only": ["rent", "free"], "spot": True, "months": 6,
            "usage_hours_per_month": 100, "allow_quantization": False}  # fmt: skip
    workload, constraints = PlanRequest.model_validate(body).split()
    assert workload == Workload(model="llama-3-8b")
    assert constraints.to_planner() == PlanConstraints(
        only=frozenset({Tier.RENT, Tier.FREE}), spot=True, months=6.0,
        usage_hours_per_month=100.0, allow_quantization=False,
    )  # fmt: skip
