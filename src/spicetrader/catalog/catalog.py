"""The :class:`Catalog`: an immutable view of accelerators, systems, offers, free tiers, economics.

Pure: it is built by :mod:`spicetrader.catalog.load` (or by tests from rows) and never reads files.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from types import MappingProxyType

from spicetrader.catalog.names import NameIndex, resolve
from spicetrader.catalog.schema import Accelerator, Economics, FreeTier, Offer, System
from spicetrader.errors import AmbiguousNameError, CatalogDataError, UnknownNameError

__all__ = ["Catalog"]


def _alias_map(rows: Iterable[Accelerator | System]) -> dict[str, str]:
    """Other spellings -> id: each row's name and its ``aliases`` column."""
    aliases: dict[str, str] = {}
    for row in rows:
        for spelling in (row.name, *row.aliases):
            aliases.setdefault(spelling, row.id)
    return aliases


@dataclass(frozen=True, eq=False)  # identity equality/hash: usable as a cache key
class Catalog:
    """Everything spicetrader knows about hardware and prices (bundled data + the user's rows)."""

    accelerators: Mapping[str, Accelerator]
    systems: tuple[System, ...]
    offers: tuple[Offer, ...]
    free_tiers: tuple[FreeTier, ...]
    economics: Economics
    offers_note: str = field(default="bundled snapshot")

    @classmethod
    def from_rows(
        cls,
        accelerators: Iterable[Accelerator],
        systems: Iterable[System],
        offers: Iterable[Offer],
        free_tiers: Iterable[FreeTier],
        economics: Economics,
        offers_note: str = "bundled snapshot",
    ) -> Catalog:
        """Build a catalog; every reference to an accelerator must exist."""
        by_id = MappingProxyType({a.id: a for a in accelerators})
        catalog = cls(by_id, tuple(systems), tuple(offers), tuple(free_tiers), economics,
                      offers_note)  # fmt: skip
        for kind, rows in (("system", catalog.systems), ("offer", catalog.offers),
                           ("free tier", catalog.free_tiers)):  # fmt: skip
            for row in rows:
                if row.accelerator not in by_id:
                    raise CatalogDataError(
                        "<catalog>", None, "accelerator",
                        f"{kind} {row.id!r} names unknown accelerator {row.accelerator!r}",
                    )  # fmt: skip
        return catalog

    @cached_property
    def _accelerator_index(self) -> NameIndex:
        return NameIndex("hardware", self.accelerators, _alias_map(self.accelerators.values()))

    @cached_property
    def _system_index(self) -> NameIndex:
        return NameIndex("system", self._systems_by_id, _alias_map(self.systems))

    @cached_property
    def _systems_by_id(self) -> dict[str, System]:
        return {s.id: s for s in self.systems}

    @cached_property
    def _free_tiers_by_id(self) -> dict[str, FreeTier]:
        return {f.id: f for f in self.free_tiers}

    def accelerator(self, name: str) -> Accelerator:
        """The accelerator named by an id or a common spelling ("H100 SXM", "RTX 4090")."""
        found = self.accelerators.get(name)
        if found is not None:
            return found
        return self.accelerators[self._accelerator_index.resolve(name)]

    def accelerators_matching(self, name: str) -> tuple[str, ...]:
        """Every accelerator id a name stands for: one id, or all choices of an ambiguous name.

        ("a100" -> the four A100 variants; unknown names raise UnknownNameError.)
        """
        try:
            return (self.accelerator(name).id,)
        except AmbiguousNameError as exc:
            return tuple(exc.choices)

    @property
    def providers(self) -> tuple[str, ...]:
        """The cloud providers with offers, sorted."""
        return tuple(sorted({o.provider for o in self.offers}))

    def system(self, name: str) -> System:
        """The system to buy named by an id or its name."""
        return self._systems_by_id[self._system_index.resolve(name)]

    def free_tier(self, name: str) -> FreeTier:
        aliases = {f"{t.service} {t.tier}": t.id for t in self.free_tiers}
        ident = resolve("free tier", name, self._free_tiers_by_id, aliases)
        return self._free_tiers_by_id[ident]

    def offer(self, offer_id: str) -> Offer:
        """The offer with exactly this id ("lambda:gpu_1x_h100_pcie")."""
        for offer in self.offers:
            if offer.id == offer_id:
                return offer
        ids = [o.id for o in self.offers]
        raise UnknownNameError("offer", offer_id, _nearest(offer_id, ids))

    def with_offers(self, offers: Sequence[Offer], as_of_note: str) -> Catalog:
        """A copy with another offers snapshot (live prices); accelerators must exist."""
        unknown = sorted({o.accelerator for o in offers if o.accelerator not in self.accelerators})
        if unknown:
            raise UnknownNameError(
                "hardware", unknown[0], _nearest(unknown[0], list(self.accelerators)),
                hint="offers must name catalog accelerator ids",
            )  # fmt: skip
        return Catalog(self.accelerators, self.systems, tuple(offers), self.free_tiers,
                       self.economics, as_of_note)  # fmt: skip


def _nearest(name: str, ids: Sequence[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, ids, n=5, cutoff=0.3)
