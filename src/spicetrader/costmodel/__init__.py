"""The cost model: will a workload fit, how fast will it run.

``estimate(spec, catalog=None) -> Estimate`` is the entry point (``estimator.py``). It is
imported lazily so that importing a submodule (``costmodel.context``...) stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spicetrader.costmodel.estimator import estimate

__all__ = ["estimate"]


def __getattr__(name: str) -> Any:
    if name == "estimate":
        from spicetrader.costmodel.estimator import estimate

        return estimate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
