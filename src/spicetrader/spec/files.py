"""Workload files (``-f FILE``): YAML or JSON, read within stated bounds.

A workload is a few hundred bytes. A file is read only if it is a regular file (never a device,
a FIFO or a folder) of at most :data:`MAX_FILE_BYTES`, decoded as strict UTF-8; its contents
may nest at most :data:`MAX_DEPTH` levels, hold at most :data:`MAX_VALUES` values (YAML aliases
counted each time they are used) and only integers of at most :data:`MAX_INT_DIGITS` digits and
finite numbers. Every refusal is an :class:`~spicetrader.errors.InputError` naming the file.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any, Final

from spicetrader.errors import InputError
from spicetrader.fileio import read_text_limited

__all__ = ["MAX_DEPTH", "MAX_FILE_BYTES", "MAX_INT_DIGITS", "MAX_VALUES", "load_workload_file"]

MAX_FILE_BYTES: Final = 1024 * 1024
MAX_DEPTH: Final = 32
MAX_VALUES: Final = 10_000
MAX_INT_DIGITS: Final = 30
SUFFIXES: Final = (".yaml", ".yml", ".json")
_BRACKETS: Final = re.compile(r"[\[\]{}]")


def load_workload_file(path: Path) -> dict[str, Any]:
    """The mapping a workload file holds (not yet validated as a Workload)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError(f"{path}: unknown workload file type; accepted: .yaml, .yml, .json")
    text = read_text_limited(path, MAX_FILE_BYTES, "workload file")
    data = _parse_json(path, text) if suffix == ".json" else _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise InputError(f"{path}: a workload file must hold a mapping (model:, hardware:, ...)")
    _check_bounds(path, data)
    return data


def _parse_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise _too_deep(path) from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise InputError(f"{path}: invalid JSON: {exc}") from None


def _parse_yaml(path: Path, text: str) -> Any:
    import yaml

    if _bracket_depth(text) > MAX_DEPTH:  # PyYAML takes seconds to fail on 100k "[["
        raise _too_deep(path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise InputError(f"{path}: invalid YAML{where}: {problem}") from None
    except RecursionError:
        raise _too_deep(path) from None
    except ValueError as exc:  # an integer past Python's digit limit
        raise InputError(f"{path}: invalid YAML: {exc}") from None


def _bracket_depth(text: str) -> int:
    """The deepest nesting of flow brackets (``[``, ``{``); brackets inside strings count too,
    which can only over-count a file that nests far beyond any workload anyway."""
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _too_deep(path: Path) -> InputError:
    return InputError(f"{path}: nested more than {MAX_DEPTH} levels deep; refused")


def _check_bounds(path: Path, data: dict[str, Any]) -> None:
    """Depth, value count, integer size and finiteness, without recursion."""
    stack: list[tuple[Any, int, str]] = [(data, 1, "")]
    seen = 0
    while stack:
        value, depth, where = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            raise InputError(f"{path}: more than {MAX_VALUES:,} values (YAML aliases?); refused")
        if depth > MAX_DEPTH:
            raise _too_deep(path)
        if isinstance(value, dict):
            stack.extend((v, depth + 1, f"{where}.{k}".lstrip(".")) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, depth + 1, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and abs(value) >= 10**MAX_INT_DIGITS:
            raise InputError(f"{path}: {where}: integer of more than {MAX_INT_DIGITS} digits")
        elif isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{path}: {where}: {value} is not a finite number")
