"""The one adapter between spicetrader and gpuhunt (the ``live`` extra): every gpuhunt name
spicetrader uses — public ones and the private ``gpuhunt._internal`` lists of providers — is
reached here and nowhere else, so that a gpuhunt release that moves them breaks one module and
one test (``tests/sources/test_gpuhunt_api.py``), loudly, instead of ``spice offers refresh``.

The ``live`` extra pins gpuhunt to the range tested with this module (``pyproject.toml``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from spicetrader.errors import InputError

__all__ = ["ProviderLists", "gpuhunt", "gpuhunt_version", "missing_creds_error", "new_catalog",
           "provider_lists"]  # fmt: skip


def gpuhunt() -> Any:
    """The gpuhunt module; an InputError that says what to install when it is missing."""
    try:
        import gpuhunt as module
    except ImportError:
        raise InputError("live prices need gpuhunt: pip install 'spicetrader[live]'") from None
    return module


def gpuhunt_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gpuhunt")
    except PackageNotFoundError:
        return "unknown"


@dataclass(frozen=True)
class ProviderLists:
    """gpuhunt's providers: ``offline`` ones come from the catalogs dstack publishes, ``online``
    ones are queried through their APIs (``online_modules``: name -> (module, class))."""

    offline: tuple[str, ...]
    online: tuple[str, ...]
    online_modules: Mapping[str, tuple[str, str]]


def provider_lists() -> ProviderLists:
    """The provider lists, from gpuhunt's private modules (no public API lists them)."""
    gpuhunt()
    from gpuhunt._internal import catalog as ghc
    from gpuhunt._internal import default as ghd

    modules = {
        module.rsplit(".", 1)[-1]: (module, cls) for module, cls in ghd.ONLINE_PROVIDER_MODULES
    }
    return ProviderLists(tuple(ghc.OFFLINE_PROVIDERS), tuple(ghc.ONLINE_PROVIDERS), modules)


def new_catalog() -> Any:
    """An empty ``gpuhunt.Catalog`` that neither rebalances nor reloads by itself."""
    return gpuhunt().Catalog(balance_resources=False, auto_reload=False)


def missing_creds_error() -> type[Exception]:
    """The exception an online provider raises without its credentials."""
    error: type[Exception] = gpuhunt().MissingCredsError
    return error
