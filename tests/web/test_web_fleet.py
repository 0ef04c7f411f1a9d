"""``POST /api/fleet`` on the bundled catalog and the real cost model: the same plan as the
library, errors in words, no file or Hub models from a request body."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from spicetrader.catalog.load import load_catalog
from spicetrader.fleet import fleet
from spicetrader.web.app import create_app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "team.yaml"


@pytest.fixture(scope="module")
def real() -> Iterator[TestClient]:
    app = create_app(catalog=load_catalog())
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def _team() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    return data


def test_the_api_gives_the_library_answer(real: TestClient) -> None:
    response = real.post("/api/fleet", json=_team())
    assert response.status_code == 200, response.text
    body = response.json()
    expected = fleet(_team(), load_catalog()).to_dict()
    assert body["total_usd"] == pytest.approx(expected["total_usd"])
    assert body["purchases"] == expected["purchases"]


def test_a_bad_team_is_a_422_in_words(real: TestClient) -> None:
    team = _team()
    team["workloads"][0]["serving"] = {"hours_per_month": 1000}
    response = real.post("/api/fleet", json=team)
    assert response.status_code == 422
    message = response.json()["message"]
    assert "workload 'team-chat': serving.hours_per_month" in message


@pytest.mark.parametrize("model", ["/etc/passwd", "someorg/unknown-model-7b", "x.gguf"])
def test_file_and_hub_models_are_refused(real: TestClient, model: str) -> None:
    team = _team()
    team["workloads"][0]["workload"]["model"] = model
    response = real.post("/api/fleet", json=team)
    assert response.status_code == 422
    assert response.json()["error"] == "ModelNotServedError"  # as /api/plan answers it
