"""The fuzz property: only the package's own errors escape; JSON holds no non-finite number."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, TypeVar

from spicetrader.errors import SpiceError

T = TypeVar("T")

# The library's entry points turn a dict that does not validate into an InputError (a SpiceError).
EXPECTED: tuple[type[Exception], ...] = (SpiceError,)


def only_own_errors(
    call: Callable[[], T], allowed: tuple[type[Exception], ...] = EXPECTED
) -> T | None:
    """``call()``, or None when it raised one of ``allowed``; anything else propagates."""
    try:
        return call()
    except allowed:
        return None


def assert_strict_json(text: str) -> Any:
    """Parse ``text`` as JSON that has no NaN/Infinity (which JSON does not have)."""

    def refuse(token: str) -> float:
        raise AssertionError(f"non-finite number {token} in JSON")

    return json.loads(text, parse_constant=refuse)


def assert_finite(data: Any) -> None:
    """No non-finite float anywhere in ``data``."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            assert math.isfinite(item), item
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
