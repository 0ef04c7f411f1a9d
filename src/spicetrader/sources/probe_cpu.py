"""The host CPU's catalog row: the name ``/proc/cpuinfo`` / ``sysctl`` / ``platform`` reports,
cleaned of the decorations vendors add, looked up among the catalog's CPU rows (exact names and
aliases only: an unknown CPU maps to nothing rather than to a near miss)."""

from __future__ import annotations

import re
from collections.abc import Callable

from spicetrader.errors import SpiceError

__all__ = ["cpu_catalog_id", "cpu_name_candidates"]

_DECORATION = re.compile(
    r"\((?:R|TM|r|tm)\)|\b\d+(?:st|nd|rd|th) Gen\b|\bCPU\b\s*@.*$|@\s*[\d.]+\s*GHz.*$"
    r"|\b\d+-Core Processor\b|\bProcessor\b"
)


def cpu_name_candidates(model: str) -> list[str]:
    """The reported name, then the same name without (R)/(TM), "13th Gen", "CPU @ 3.70GHz",
    "16-Core Processor"."""
    cleaned = " ".join(_DECORATION.sub(" ", model).split())
    return list(dict.fromkeys(n for n in (model.strip(), cleaned) if n))


def cpu_catalog_id(model: str, resolve: Callable[[str], str]) -> str | None:
    """The catalog id ``resolve`` gives the first candidate name it knows; None when none."""
    for name in cpu_name_candidates(model):
        try:
            return resolve(name)
        except SpiceError:
            continue
    return None
