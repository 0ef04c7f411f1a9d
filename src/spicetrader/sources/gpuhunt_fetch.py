"""The real fetcher for ``spice offers refresh``: gpuhunt (the ``live`` extra), imported lazily
and reached only through the adapter :mod:`spicetrader.sources.gpuhunt_api`.

gpuhunt has two kinds of providers: "offline" ones (aws, azure, gcp, lambdalabs, nebius, oci,
runpod, ...) whose catalogs dstack publishes as zipped CSVs, and "online" ones (vastai, crusoe,
...) queried through their APIs, most needing credentials in environment variables read by
gpuhunt itself (``Provider.from_env()``). An online provider without credentials is skipped.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from spicetrader.sources.gpuhunt_api import (
    gpuhunt,
    gpuhunt_version,
    missing_creds_error,
    new_catalog,
    provider_lists,
)
from spicetrader.sources.live import ProviderUnavailableError

__all__ = ["GpuhuntFetcher", "gpuhunt_version"]


class GpuhuntFetcher:
    """Callable ``provider -> items``; loads the published catalogs once, on first use."""

    def __init__(self) -> None:
        import logging

        gpuhunt()  # InputError when the live extra is not installed
        # gpuhunt logs each failed download with its traceback; failures are reported per
        # provider instead, so keep its log records off the terminal.
        logging.getLogger("gpuhunt").addHandler(logging.NullHandler())
        logging.getLogger("gpuhunt").propagate = False
        lists = provider_lists()
        self.offline: tuple[str, ...] = lists.offline
        self.online: tuple[str, ...] = lists.online
        self._online_modules: dict[str, tuple[str, str]] = dict(lists.online_modules)
        self._catalog: Any = None
        self._lock = threading.Lock()

    @property
    def providers(self) -> tuple[str, ...]:
        return self.offline + self.online

    def check(self, names: Sequence[str]) -> tuple[str, ...]:
        """gpuhunt provider names for ``names`` (gpuhunt's or the catalog's: "lambda" ->
        "lambdalabs"); an unknown name raises UnknownNameError listing the accepted ones."""
        from difflib import get_close_matches

        from spicetrader.errors import UnknownNameError
        from spicetrader.sources.gpu_names import provider_id

        known = self.providers
        by_catalog_id = {provider_id(p): p for p in known}
        out = []
        for name in names:
            low = name.strip().lower()
            found = low if low in known else by_catalog_id.get(low)
            if found is None:
                near = get_close_matches(low, known, n=3)
                raise UnknownNameError("provider", name, near, "accepted: " + ", ".join(known))
            out.append(found)
        return tuple(out)

    def _offline_catalog(self) -> Any:
        with self._lock:
            if self._catalog is None:
                catalog = new_catalog()
                catalog.load()  # raises GPUHuntError when no provider could be downloaded
                self._catalog = catalog
            return self._catalog

    def __call__(self, provider: str) -> Sequence[Mapping[str, Any]]:
        if provider in self.offline:
            catalog = self._offline_catalog()
            if provider not in catalog.catalog:
                raise RuntimeError(f"the published {provider} catalog could not be downloaded")
            items = catalog.query(provider=provider)
        else:
            catalog = new_catalog()
            catalog.add_provider(self._online_provider(provider))
            items = catalog.query(provider=provider)
        return [_as_dict(item) for item in items]

    def _online_provider(self, provider: str) -> Any:
        import importlib

        module_name, class_name = self._online_modules[provider]
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ProviderUnavailableError(f"needs an extra package: {exc.name}") from None
        try:
            return getattr(module, class_name).from_env()
        except missing_creds_error() as exc:
            raise ProviderUnavailableError(f"no credentials: {exc}") from None


def _as_dict(item: Any) -> dict[str, Any]:
    data = dataclasses.asdict(item)
    vendor = data.get("gpu_vendor")
    data["gpu_vendor"] = getattr(vendor, "value", vendor)
    data["cpu_arch"] = getattr(data.get("cpu_arch"), "value", data.get("cpu_arch"))
    return data
