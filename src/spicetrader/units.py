"""Units and conversions, in one place.

GB is 10**9 bytes everywhere in spicetrader's API (datasheets quote GPU memory and bandwidth in
decimal units). Sources that give GiB are converted at load time with :func:`gib_to_gb`.
"""

from __future__ import annotations

from typing import Final

BYTES_PER_GB: Final = 1e9
BYTES_PER_GIB: Final = 2.0**30
FLOPS_PER_TFLOP: Final = 1e12
SECONDS_PER_HOUR: Final = 3600.0
HOURS_PER_MONTH: Final = 730.0  # 8760 h / 12, the usual billing month
WATTS_PER_KW: Final = 1000.0


def gib_to_gb(gib: float) -> float:
    """Convert GiB (2**30 bytes) to GB (10**9 bytes)."""
    return gib * BYTES_PER_GIB / BYTES_PER_GB


def bytes_to_gb(n_bytes: float) -> float:
    return n_bytes / BYTES_PER_GB


def gb_to_bytes(gb: float) -> float:
    return gb * BYTES_PER_GB
