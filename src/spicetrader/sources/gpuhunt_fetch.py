"""The real fetcher for ``spice offers refresh``: gpuhunt (the ``live`` extra), imported lazily.

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

from spicetrader.errors import InputError
from spicetrader.sources.live import ProviderUnavailableError

__all__ = ["GpuhuntFetcher", "gpuhunt_version"]


def _gpuhunt() -> Any:
    try:
        import gpuhunt
    except ImportError:
        raise InputError("live prices need gpuhunt: pip install 'spicetrader[live]'") from None
    return gpuhunt


def gpuhunt_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gpuhunt")
    except PackageNotFoundError:
        return "unknown"


class GpuhuntFetcher:
    """Callable ``provider -> items``; loads the published catalogs once, on first use."""

    def __init__(self) -> None:
        import logging

        gpuhunt = _gpuhunt()
        # gpuhunt logs each failed download with its traceback; failures are reported per
        # provider instead, so keep its log records off the terminal.
        logging.getLogger("gpuhunt").addHandler(logging.NullHandler())
        logging.getLogger("gpuhunt").propagate = False
        from gpuhunt._internal import catalog as ghc
        from gpuhunt._internal import default as ghd

        self._gpuhunt = gpuhunt
        self.offline: tuple[str, ...] = tuple(ghc.OFFLINE_PROVIDERS)
        self.online: tuple[str, ...] = tuple(ghc.ONLINE_PROVIDERS)
        self._online_modules: dict[str, tuple[str, str]] = {
            module.rsplit(".", 1)[-1]: (module, cls) for module, cls in ghd.ONLINE_PROVIDER_MODULES
        }
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
                catalog = self._gpuhunt.Catalog(balance_resources=False, auto_reload=False)
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
            catalog = self._gpuhunt.Catalog(balance_resources=False, auto_reload=False)
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
        except self._gpuhunt.MissingCredsError as exc:
            raise ProviderUnavailableError(f"no credentials: {exc}") from None


def _as_dict(item: Any) -> dict[str, Any]:
    data = dataclasses.asdict(item)
    vendor = data.get("gpu_vendor")
    data["gpu_vendor"] = getattr(vendor, "value", vendor)
    data["cpu_arch"] = getattr(data.get("cpu_arch"), "value", data.get("cpu_arch"))
    return data
