"""Find the plan option to launch: in a fresh plan or in a saved ``spice plan --json`` file."""

from __future__ import annotations

import difflib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from spicetrader.errors import InputError, UnknownNameError

__all__ = ["find_option", "read_plan_json", "required_field"]


def find_option(options: Sequence[Mapping[str, Any]], option_id: str) -> Mapping[str, Any]:
    """The option with this id; UnknownNameError lists the nearest ids."""
    ids = [str(o.get("id")) for o in options]
    for option in options:
        if option.get("id") == option_id:
            return option
    near = difflib.get_close_matches(option_id, ids, n=5, cutoff=0.3)
    raise UnknownNameError("plan option", option_id, near, hint="see `spice plan --json`")


def read_plan_json(path: Path) -> dict[str, Any]:
    """A saved ``spice plan --json`` output (must hold ``workload`` and ``options``)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: invalid JSON at line {exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("options"), list):
        raise InputError(f"{path}: not a `spice plan --json` output (no 'options' list)")
    if not isinstance(data.get("workload"), dict):
        raise InputError(f"{path}: not a `spice plan --json` output (no 'workload')")
    return data


def required_field(option: Mapping[str, Any], key: str) -> Any:
    """``option[key]``; InputError when the option lacks it (not an option of `spice plan`)."""
    if key not in option or option[key] in (None, ""):
        raise InputError(f"the plan option has no {key!r}; pass an option from `spice plan --json`")
    return option[key]
