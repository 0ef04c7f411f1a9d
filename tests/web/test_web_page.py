"""The page's contract with the API, checked without a browser: every form field writes a field
``/api/plan`` accepts, the examples are valid plans, and the bundled chart library is the one the
page loads, with its licence."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi.testclient import TestClient
from pydantic import BaseModel

from spicetrader.web.pages import PERSONAS, STATIC_DIR
from spicetrader.web.schemas import PlanRequest


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.fields: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = dict(attrs)
        if "data-path" in attr:
            self.fields.append(attr)


def _fields(html: str) -> list[dict[str, str | None]]:
    parser = _Fields()
    parser.feed(html)
    return parser.fields


def _accepts(model: type[BaseModel], path: list[str]) -> bool:
    field = model.model_fields.get(path[0])
    if field is None:
        return False
    if len(path) == 1:
        return True
    nested = [
        a for a in getattr(field.annotation, "__args__", (field.annotation,)) if isinstance(a, type)
    ]
    return any(issubclass(a, BaseModel) and _accepts(a, path[1:]) for a in nested)


def test_every_form_field_is_a_field_of_the_plan_request(client: TestClient) -> None:
    fields = _fields(client.get("/").text)
    paths = {f["data-path"] for f in fields}
    assert {"model", "task", "finetune.method", "inference.prompt_tokens", "image.steps"} <= paths
    for path in paths:
        assert path is not None
        assert _accepts(PlanRequest, path.split(".")), path
    names = [f["name"] for f in fields]
    assert len(names) == len(set(names))  # one URL key per field


def test_examples_fill_fields_that_exist(client: TestClient) -> None:
    names = {f["name"] for f in _fields(client.get("/").text)} | {"only"}
    for persona in PERSONAS:
        query = parse_qs(persona.query)
        assert set(query) <= names, persona
        assert "model" in query


def test_the_page_loads_only_bundled_scripts(client: TestClient) -> None:
    html = client.get("/").text
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert "/static/vendor/chart.umd.min.js" in scripts
    for src in scripts:
        assert src.startswith("/static/")
        body = client.get(src).text
        assert "sourceMappingURL" not in body  # no request for a map that is not shipped
    vendor = STATIC_DIR / "vendor"
    assert (vendor / "chart.js.LICENSE.md").read_text().startswith("The MIT License")
    assert "Chart.js v4" in (vendor / "chart.umd.min.js").read_text()[:200]


def test_static_scripts_reach_no_other_host() -> None:
    for path in Path(STATIC_DIR).glob("*.js"):
        text = path.read_text()
        hits: list[Any] = re.findall(r"https?://[^\s\"'`]+", text)
        assert hits == [], (path.name, hits)


def test_model_search_matches_aliases(client: TestClient) -> None:
    found = client.get("/api/models", params={"q": "meta-llama/meta-llama-3"}).json()
    assert [m["id"] for m in found] == ["llama-3-8b"]
    assert "meta-llama/Meta-Llama-3-8B" in found[0]["aliases"]
    assert client.get("/api/models", params={"q": "no-such-alias"}).json() == []
