"""The web surface is closed (issue 14): no Hub call and no file read from a request body, a Host
allow-list, deadlines on half-sent requests, and compute in bounded slots off the event loop."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from loopback import serve_on_loopback

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog
from spicetrader.web.app import create_app
from spicetrader.web.compute_pool import ComputePool
from spicetrader.web.limits import HostAllowList, host_name


class _Result:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return self.data


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture
def real_client(catalog: Catalog) -> Iterator[TestClient]:
    """The real estimator and planner; the Hub and the model-file reader must never be reached."""
    with TestClient(create_app(catalog=catalog), raise_server_exceptions=False) as client:
        yield client


pytestmark = pytest.mark.usefixtures("no_hub_no_files")  # tests/conftest.py


BODY = {"hardware": "rtx-4090", "usage_hours_per_month": 100}


def _post(client: TestClient, endpoint: str, model: str) -> httpx.Response:
    body = {"model": model, **BODY}
    if endpoint == "estimate":
        body.pop("usage_hours_per_month")
    return client.post(f"/api/{endpoint}", json=body)


@pytest.mark.parametrize("endpoint", ["estimate", "plan"])
def test_hub_repo_is_refused_fast_with_the_cli_command(
    real_client: TestClient, endpoint: str
) -> None:
    start = time.perf_counter()
    response = _post(real_client, endpoint, "some-org/some-model")
    assert time.perf_counter() - start < 2.0
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "ModelNotServedError"
    assert "spice plan some-org/some-model" in body["message"]
    assert "Hugging Face" in body["message"]


@pytest.mark.parametrize("endpoint", ["estimate", "plan"])
def test_paths_are_refused_alike_whether_they_exist_or_not(
    real_client: TestClient, endpoint: str, tmp_path: Path
) -> None:
    readable = tmp_path / "config.json"
    readable.write_text("{}")
    names = ["/etc", str(tmp_path / "missing.json"), str(readable), "~/x.gguf", "./m", "..\\m"]
    answers = set()
    for name in names:
        response = _post(real_client, endpoint, name)
        assert response.status_code == 422, name
        body = response.json()
        answers.add((body["error"], body["message"].replace(name, "NAME")))
    assert len(answers) == 1  # no file-existence oracle
    (error, message) = answers.pop()
    assert error == "ModelNotServedError"
    assert "reads no files" in message


@pytest.mark.parametrize("endpoint", ["estimate", "plan"])
def test_long_model_name_is_a_422(real_client: TestClient, endpoint: str) -> None:
    response = _post(real_client, endpoint, "x" * 300)
    assert response.status_code == 422
    assert "at most 200" in response.json()["message"]


def test_catalog_alias_with_a_slash_is_served(real_client: TestClient) -> None:
    response = _post(real_client, "estimate", "huggyllama/llama-7b")
    assert response.status_code == 200
    assert response.json()["workload"]["model"] == "llama-7b"  # the catalog id it resolved to


# -- Host allow-list ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost:8000", 200),
        ("127.0.0.1", 200),
        ("[::1]:8000", 200),
        ("LOCALHOST", 200),
        ("evil.example", 421),
        ("evil.example:8000", 421),
        ("127.0.0.1.evil.example", 421),
    ],
)
def test_host_allow_list(catalog: Catalog, host: str, status: int) -> None:
    app = HostAllowList(create_app(catalog=catalog))
    with TestClient(app) as client:
        response = client.get("/api/hardware?limit=1", headers={"host": host})
    assert response.status_code == status
    if status == 421:
        assert response.json()["error"] == "HostNotAllowed"
        assert "--allow-host" in response.json()["message"]


def test_host_name_parsing() -> None:
    assert host_name("[::1]:80") == "::1"
    assert host_name("Example.COM:8080") == "example.com"
    assert host_name("::1") == "::1"
    assert host_name(None) is None


def test_allowed_hosts_include_the_bound_name_and_extras() -> None:
    from spicetrader.web.server import allowed_hosts

    assert allowed_hosts("127.0.0.1") == {"localhost", "127.0.0.1", "::1"}
    assert "box.lan" in allowed_hosts("0.0.0.0", ["box.lan"])
    assert "0.0.0.0" not in allowed_hosts("0.0.0.0")
    assert "192.168.1.5" in allowed_hosts("192.168.1.5")


# -- half-sent requests ------------------------------------------------------------------------


def _serve(app: Any) -> Iterator[int]:
    from spicetrader.web.server import _protocol

    yield from serve_on_loopback(app, http=_protocol())


def _fake_app(catalog: Catalog, **kwargs: Any) -> FastAPI:
    return create_app(
        catalog=catalog,
        estimator=lambda w, c: _Result({"model": w.model_name}),  # type: ignore[arg-type,return-value]
        planner=lambda w, c, k: _Result({"model": w.model_name}),
        **kwargs,
    )


def test_half_sent_headers_are_cut_off(catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    import spicetrader.web.server as server

    monkeypatch.setattr(server, "HEADER_TIMEOUT_S", 0.5)
    for port in _serve(_fake_app(catalog)):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(b"POST /api/estimate HTTP/1.1\r\nHost: localhost\r\n")
            start = time.perf_counter()
            assert conn.recv(1024) == b""  # closed by the server
            assert time.perf_counter() - start < 3


def test_half_sent_body_gets_408(catalog: Catalog) -> None:
    for port in _serve(_fake_app(catalog, body_timeout_s=0.5)):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(
                b"POST /api/estimate HTTP/1.1\r\nHost: localhost\r\n"
                b'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model"'
            )
            start = time.perf_counter()
            answer = conn.recv(4096)
            assert answer.startswith(b"HTTP/1.1 408")
            assert time.perf_counter() - start < 3


# -- bounded compute ---------------------------------------------------------------------------


def _slow_app(catalog: Catalog, seconds: float) -> FastAPI:
    def slow_plan(w: Any, c: Any, k: Any) -> _Result:
        time.sleep(seconds)
        return _Result({"plan": True})

    return create_app(
        catalog=catalog,
        estimator=lambda w, c: _Result({"estimate": True}),  # type: ignore[arg-type,return-value]
        planner=slow_plan,
    )


PLAN_BODY = {"model": "llama-3-8b", "usage_hours_per_month": 100}
ESTIMATE_BODY = {"model": "llama-3-8b", "hardware": "rtx-4090"}


def test_estimate_stays_quick_while_slow_plans_are_in_flight(catalog: Catalog) -> None:
    app = _slow_app(catalog, 1.5)

    async def scenario() -> tuple[float, list[int], bool]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            plans = [
                asyncio.create_task(client.post("/api/plan", json=PLAN_BODY)) for _ in range(8)
            ]
            await asyncio.sleep(0.2)
            start = time.perf_counter()
            estimate = await client.post("/api/estimate", json=ESTIMATE_BODY)
            took = time.perf_counter() - start
            in_flight = not all(p.done() for p in plans)
            statuses = [estimate.status_code] + [(await p).status_code for p in plans]
            return took, statuses, in_flight

    took, statuses, in_flight = asyncio.run(scenario())
    assert in_flight
    assert took < 0.5
    assert statuses == [200] * 9


def test_a_flood_is_answered_503_not_queued(catalog: Catalog) -> None:
    app = _slow_app(catalog, 0.5)
    app.state.compute = ComputePool({"plan": 1, "estimate": 1}, max_waiting=2)

    async def scenario() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
            requests = [client.post("/api/plan", json=PLAN_BODY) for _ in range(6)]
            return list(await asyncio.gather(*requests))

    start = time.perf_counter()
    responses = asyncio.run(scenario())
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) == {200, 503}
    assert statuses.count(200) <= 3  # one running, at most two waiting
    busy = next(r for r in responses if r.status_code == 503)
    assert busy.headers["retry-after"] == "1"
    assert busy.json()["error"] == "BusyError"
    assert time.perf_counter() - start < 0.5 * 3 + 1  # never six slow plans in a row


def test_identical_requests_are_answered_from_the_cache(catalog: Catalog) -> None:
    calls: list[Any] = []

    def planner(w: Any, c: Any, k: Any) -> _Result:
        calls.append(k)
        return _Result({"usage": k.usage_hours_per_month})

    app = create_app(catalog=catalog, planner=planner)
    with TestClient(app) as client:
        first = client.post("/api/plan", json=PLAN_BODY)
        again = client.post("/api/plan", json=PLAN_BODY)
        other = client.post("/api/plan", json={**PLAN_BODY, "usage_hours_per_month": 7})
    assert first.json() == again.json() == {"usage": 100}
    assert other.json() == {"usage": 7}
    assert len(calls) == 2
