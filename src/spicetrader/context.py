"""The one :class:`Context` every edge plans with: the library, ``spice`` and the web app.

``Context.load()`` gathers, once, everything of the user's world a plan or an estimate depends
on — the bundled catalog with the user's overlay (``<home>/catalog/*.csv``), the freshest live
price snapshot (``spice offers refresh``), the user's quotes (``<home>/offers.toml``), this
machine (``<home>/probe.json``, written by ``spice probe``) and, unless ``hub=False``, the
Hugging Face Hub hook that resolves ``org/name`` models. ``spicetrader.plan()`` and
``spicetrader.estimate()`` build one when none is given, as the CLI does; the web app builds one
with ``hub=False`` (a web request never reaches the network).

What was read from where is logged (logger ``spicetrader.context``; ``spice --verbose`` shows it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from spicetrader.spec.prices import PriceOrigin, PricesInfo

if TYPE_CHECKING:
    from spicetrader.catalog.catalog import Catalog
    from spicetrader.costmodel.resolve import FetchConfig
    from spicetrader.planner.local import LocalMachine

__all__ = ["Context"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """What a plan is computed with, and where each part came from.

    - ``catalog``: hardware, systems, offers (the prices really used) and free tiers.
    - ``prices``: the note on those prices (bundled / snapshot with its age / N of your quotes).
    - ``local``: this machine as ``spice probe`` recorded it (``None``: never probed).
    - ``fetch_config``: the Hugging Face hook for ``org/name`` models (``None``: offline, only
      bundled models, aliases and local files resolve).
    - ``home``: the user directory it was read from (``None``: nothing was read from one).
    """

    catalog: Catalog
    prices: PricesInfo
    local: LocalMachine | None = None
    fetch_config: FetchConfig | None = None
    home: Path | None = None

    @classmethod
    def load(
        cls, home: Path | None = None, *, hub: bool = True, today: date | None = None
    ) -> Context:
        """The user's world: ``home`` defaults to ``$SPICETRADER_HOME`` or the platform's data
        directory; ``hub=False`` leaves out the Hugging Face Hub; ``today`` (for tests) dates
        the prices' age (default: the current UTC date)."""
        from spicetrader.catalog.load import load_catalog
        from spicetrader.paths import user_catalog_dir, user_home
        from spicetrader.sources.local import this_machine
        from spicetrader.sources.prices import current_offers

        home = user_home() if home is None else home
        overlay = user_catalog_dir(home)
        log.info("user directory: %s", home)
        base = load_catalog(user_dir=overlay)
        log.info(
            "catalog: bundled%s; %d accelerators, %d systems, %d free tiers",
            f" + your rows in {overlay}" if overlay.is_dir() else "",
            len(base.accelerators), len(base.systems), len(base.free_tiers),
        )  # fmt: skip
        catalog, prices = current_offers(home, base, today=today)
        log.info("%s; %d offers%s", prices.describe(), len(catalog.offers),
                 f" from {prices.snapshot}" if prices.snapshot else "")  # fmt: skip
        local = this_machine(home, catalog)
        log.info(
            "this machine: %s",
            "not probed (spice probe)"
            if local is None
            else f"{local.devices}x {local.hardware}, probed {local.probed_at[:10]}",
        )
        fetch_config: FetchConfig | None = None
        if hub:
            from spicetrader.sources.hub import fetch_hf_config

            fetch_config = fetch_hf_config
        log.info("Hugging Face Hub: %s", "on, for org/name models" if hub else "off")
        return cls(catalog, prices, local, fetch_config, home)

    @classmethod
    def of(cls, catalog: Catalog, *, today: date | None = None) -> Context:
        """A context around a catalog the caller built: its own offers, no user directory, no
        machine, no Hub."""
        from spicetrader.catalog.load import load_catalog
        from spicetrader.sources.prices import catalog_prices

        origin = PriceOrigin.BUNDLED if catalog is load_catalog() else PriceOrigin.CATALOG
        return cls(catalog, catalog_prices(catalog, today or _today(), origin))

    def describe(self) -> str:
        """One line: what this context plans with."""
        parts = [self.prices.describe()]
        if self.local is not None:
            parts.append(f"this machine: {self.local.devices}x {self.local.hardware}")
        parts.append("Hugging Face Hub on" if self.fetch_config else "Hugging Face Hub off")
        return "; ".join(parts)

    def __repr__(self) -> str:
        where = f"{self.home}" if self.home is not None else "no user directory"
        return f"Context({where}: {self.describe()})"


def _today() -> date:
    return datetime.now(UTC).date()
