"""The JSON API through FastAPI's TestClient, on a small catalog with fake estimator/planner."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from webfakes import fake_estimate, fake_plan, small_catalog

from spicetrader.web.app import create_app
from spicetrader.web.limits import DEFAULT_MAX_BODY_BYTES

ESTIMATE = {"model": "llama-3-8b", "hardware": "RTX 4090", "precision": "BF16"}


def ids(rows: list[dict[str, object]]) -> list[object]:
    return [r["id"] for r in rows]


def test_hardware_lists_rows_with_source_and_date(client: TestClient) -> None:
    rows = client.get("/api/hardware").json()
    assert ids(rows) == ["rtx-4090", "h100-sxm", "m2-ultra-76c"]
    assert all(r["source"] and r["as_of"] for r in rows)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("vendor=apple", ["m2-ultra-76c"]),
        ("segment=datacenter", ["h100-sxm"]),
        ("min_memory_gb=80", ["h100-sxm", "m2-ultra-76c"]),
        ("q=4090", ["rtx-4090"]),
        ("q=GeForce&vendor=nvidia", ["rtx-4090"]),
        ("limit=1", ["rtx-4090"]),
    ],
)
def test_hardware_filters(client: TestClient, query: str, expected: list[str]) -> None:
    assert ids(client.get(f"/api/hardware?{query}").json()) == expected


def test_bad_query_value_is_422_with_field_path(client: TestClient) -> None:
    response = client.get("/api/hardware?vendor=ibm")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ValidationError"
    assert body["errors"][0]["loc"] == ["query", "vendor"]
    assert "query.vendor" in body["message"]


def test_offers_resolve_spelling_and_sort_by_gpu_hour(client: TestClient) -> None:
    rows = client.get("/api/offers", params={"gpu": "H100 SXM"}).json()
    assert ids(rows) == ["lambda:gpu_8x_h100_sxm5", "lambda:gpu_1x_h100_sxm5"]
    assert rows[0]["price_usd_per_gpu_hour"] == pytest.approx(23.92 / 8)


def test_offers_filters_as_in_the_cli(client: TestClient) -> None:
    cheap = client.get("/api/offers?max_price_usd_per_hour=1").json()
    assert ids(cheap) == ["runpod:4090"]
    assert ids(client.get("/api/offers?min_gpus=8").json()) == ["lambda:gpu_8x_h100_sxm5"]
    assert ids(client.get("/api/offers?provider=RunPod").json()) == ["runpod:4090"]
    assert ids(client.get("/api/offers?spot=true").json()) == ["runpod:4090"]  # the one with spot


def test_offers_unknown_accelerator_is_422_with_suggestions(client: TestClient) -> None:
    response = client.get("/api/offers", params={"gpu": "rtx-4091"})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "UnknownNameError"
    assert "rtx-4090" in body["suggestions"]
    assert "rtx-4091" in body["message"]


def test_systems_and_free_tiers(client: TestClient) -> None:
    assert ids(client.get("/api/systems?kind=mac").json()) == ["mac-studio-m2-ultra-192"]
    assert ids(client.get("/api/systems?max_price_usd=5000").json()) == ["rtx-4090-workstation"]
    tiers = client.get("/api/free-tiers").json()
    assert ids(tiers) == ["kaggle-t4x2"]
    assert tiers[0]["weekly_quota_hours"] == 30.0


def test_models_summaries(client: TestClient) -> None:
    rows = client.get("/api/models").json()
    llama, sd = rows
    assert llama["params"] == 8_030_261_248  # Meta-Llama-3-8B, exact
    assert llama["kind"] == "llm"
    assert llama["active_params"] == llama["params"]  # dense model
    assert sd["kind"] == "diffusion"
    assert sd["denoiser"] == "unet"
    assert ids(client.get("/api/models?q=stable").json()) == ["sd-1.5"]


def test_estimate_passes_the_workload_through(client: TestClient) -> None:
    response = client.post("/api/estimate", json=ESTIMATE)
    assert response.status_code == 200
    body = response.json()
    assert body["fits"] is True
    assert body["memory"]["capacity_gb"] == 24.0
    assert body["workload"]["precision"] == "bf16"  # normalised by the Workload model
    assert body["workload"]["inference"] == {"batch": 1, "prompt_tokens": 512, "output_tokens": 128}
    assert "training" in body


def test_estimate_that_does_not_fit_is_not_runnable(client: TestClient) -> None:
    body = client.post("/api/estimate", json={**ESTIMATE, "model": "llama-3-70b"}).json()
    assert body["fits"] is False
    assert body["bound"] == "memory-capacity"


def test_estimate_unknown_model_is_422_with_suggestions(client: TestClient) -> None:
    response = client.post("/api/estimate", json={**ESTIMATE, "model": "llama-9b"})
    assert response.status_code == 422
    body = response.json()
    assert body == {
        "error": "UnknownNameError",
        "message": body["message"],
        "kind": "model",
        "name": "llama-9b",
        "suggestions": ["llama-3-8b", "llama-3-70b"],
    }


def test_estimate_without_hardware_says_what_is_missing(client: TestClient) -> None:
    response = client.post("/api/estimate", json={"model": "llama-3-8b"})
    assert response.status_code == 422
    assert response.json()["error"] == "InputError"
    assert "hardware" in response.json()["message"]


def test_invalid_workload_lists_every_field_path(client: TestClient) -> None:
    response = client.post("/api/estimate", json={**ESTIMATE, "devices": 0, "bogus": 1})
    assert response.status_code == 422
    locs = sorted(tuple(e["loc"]) for e in response.json()["errors"])
    assert locs == [("body", "bogus"), ("body", "devices")]
    assert "input" not in response.json()["errors"][0]  # the offending input is not echoed


@pytest.mark.parametrize(
    "content", [b"{not json", b"[]", b"null", b'"text"', b"\xff\xfe", b""], ids=repr
)
def test_malformed_bodies_are_4xx(client: TestClient, content: bytes) -> None:
    response = client.post(
        "/api/estimate", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"


def test_body_over_the_limit_is_413(client: TestClient) -> None:
    padding = "x" * DEFAULT_MAX_BODY_BYTES
    response = client.post("/api/estimate", json={**ESTIMATE, "model": padding})
    assert response.status_code == 413
    assert response.json()["error"] == "PayloadTooLarge"


def test_chunked_body_over_the_limit_is_413(client: TestClient) -> None:
    def chunks() -> object:
        for _ in range(DEFAULT_MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    response = client.post(
        "/api/estimate", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in response.request.headers
    assert response.status_code == 413


def test_body_just_under_the_limit_reaches_validation(client: TestClient) -> None:
    body = b'{"model": "llama-3-8b", "hardware": "rtx-4090"}'
    padded = body + b" " * (DEFAULT_MAX_BODY_BYTES - len(body))
    response = client.post(
        "/api/estimate", content=padded, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200


def test_unknown_route_is_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing")
    assert response.status_code == 404
    assert response.json()["error"] == "HTTPError"


LIMITED = create_app(
    catalog=small_catalog(), estimator=fake_estimate, planner=fake_plan, max_body_bytes=100
)


@settings(max_examples=60, deadline=None)
@given(size=st.integers(min_value=0, max_value=300), chunked=st.booleans())
def test_413_exactly_when_the_body_exceeds_the_limit(size: int, chunked: bool) -> None:
    body = b'{"model":"llama-3-8b","hardware":"rtx-4090"}'
    content = body.ljust(size)[:size]  # exactly ``size`` bytes (cut JSON is a 422)
    payload: object = iter([content[i : i + 7] for i in range(0, len(content), 7)] or [b""])
    with TestClient(LIMITED) as client:
        response = client.post(
            "/api/estimate",
            content=payload if chunked else content,
            headers={"content-type": "application/json"},
        )
    assert (response.status_code == 413) == (size > 100)
    assert response.status_code < 500
