"""JSON responses for results of the core.

JSON has no infinity or NaN. Should a result ever hold one (an absurdly small usage making an
hour count overflow, say), the value is written as ``null`` (unknown), as the estimate contract
does for speeds it cannot give, rather than failing the request with a 500.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from fastapi.responses import JSONResponse

__all__ = ["finite_or_null", "result_response"]

_log = logging.getLogger("spicetrader.web")


def finite_or_null(data: Any) -> Any:
    """``data`` with every non-finite float replaced by ``None`` (recursively)."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: finite_or_null(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [finite_or_null(v) for v in data]
    return data


def result_response(data: Any) -> JSONResponse:
    """A 200 JSON response; the fast path is a plain ``json.dumps``."""
    try:
        return JSONResponse(content=data)
    except ValueError:  # a non-finite float: rare, so only then walk the whole result
        _log.warning("a result held a non-finite number; it is written as null")
        return JSONResponse(content=finite_or_null(data))
