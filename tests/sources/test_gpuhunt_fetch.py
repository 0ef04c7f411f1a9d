"""The real gpuhunt fetcher, with gpuhunt's catalog replaced by recorded items (no network)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from optional_deps import require
from spicetrader.errors import UnknownNameError
from spicetrader.sources.live import ProviderUnavailableError

gpuhunt = require("gpuhunt")

from spicetrader.sources.gpuhunt_fetch import GpuhuntFetcher  # noqa: E402


def _item(raw: Mapping[str, Any]) -> Any:
    data = dict(raw)
    data["gpu_vendor"] = (
        gpuhunt.AcceleratorVendor(data["gpu_vendor"]) if data["gpu_vendor"] else None
    )
    data["cpu_arch"] = gpuhunt.CPUArchitecture(data["cpu_arch"])
    return gpuhunt.CatalogItem(**data)


class LoadedCatalog:
    """What ``gpuhunt.Catalog`` looks like after ``load()``: providers that downloaded."""

    def __init__(self, items: Mapping[str, Sequence[Mapping[str, Any]]]):
        self.catalog = {name: object() for name in items}
        self._items = items

    def query(self, *, provider: str) -> list[Any]:
        return [_item(raw) for raw in self._items[provider]]


def test_offline_provider_items_come_back_as_dicts(
    recorded_items: Mapping[str, Sequence[Mapping[str, Any]]],
) -> None:
    fetcher = GpuhuntFetcher()
    fetcher._catalog = LoadedCatalog({"aws": recorded_items["aws"]})
    items = fetcher("aws")
    assert items == [dict(raw) for raw in recorded_items["aws"]]


def test_offline_provider_that_did_not_download_fails() -> None:
    fetcher = GpuhuntFetcher()
    fetcher._catalog = LoadedCatalog({})
    with pytest.raises(RuntimeError, match="could not be downloaded"):
        fetcher("gcp")


def test_online_provider_without_credentials_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    fetcher = GpuhuntFetcher()
    needs_creds = next(p for p in fetcher.online if p != "vastai")
    module_name, class_name = fetcher._online_modules[needs_creds]
    provider_class = getattr(__import__(module_name, fromlist=[class_name]), class_name)

    def no_creds(cls: type) -> None:
        raise gpuhunt.MissingCredsError("API key not set")

    monkeypatch.setattr(provider_class, "from_env", classmethod(no_creds))
    with pytest.raises(ProviderUnavailableError, match="no credentials"):
        fetcher(needs_creds)


def test_provider_names_are_checked() -> None:
    fetcher = GpuhuntFetcher()
    assert fetcher.check(["AWS", "lambdalabs"]) == ("aws", "lambdalabs")
    assert fetcher.check(["lambda", "vast"]) == ("lambdalabs", "vastai")  # catalog ids work too
    assert {"aws", "gcp", "lambdalabs", "runpod", "vastai"} <= set(fetcher.providers)
    with pytest.raises(UnknownNameError, match="lambdalabs"):
        fetcher.check(["lambda-labs"])
