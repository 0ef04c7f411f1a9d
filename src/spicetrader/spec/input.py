"""User input at the library's door: a workload from what a caller hands in, loose keyword values
made into the types they stand for, and pydantic's errors worded as the package's own.

Every bad value becomes an :class:`~spicetrader.errors.InputError` that names the field, what was
given and what is accepted — never a ``pydantic.ValidationError`` or a ``TypeError``.
"""

from __future__ import annotations

import difflib
import math
import types
from collections.abc import Mapping
from os import PathLike
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from spicetrader.errors import InputError
from spicetrader.spec.workload import Workload

__all__ = ["coerce_keywords", "input_error", "workload_of"]

_SHOWN = 60  # characters of a given value quoted in a message
_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def workload_of(spec: Workload | Mapping[str, Any] | str | PathLike[str]) -> Workload:
    """A validated :class:`Workload` from a Workload, a mapping in the workload.md format, or a
    model name alone (``"llama-3-8b"`` is ``{"model": "llama-3-8b"}``)."""
    if isinstance(spec, Workload):
        return spec
    if isinstance(spec, str | PathLike):
        spec = {"model": str(spec)}
    if not isinstance(spec, Mapping):
        raise InputError(
            f"a workload is a mapping (model, task, ...), a Workload or a model name; "
            f"got {type(spec).__name__}"
        )
    try:
        return Workload.model_validate(dict(spec))
    except ValidationError as exc:
        raise input_error(exc, Workload, "workload") from None


def input_error(exc: ValidationError, model: type[BaseModel], what: str) -> InputError:
    """pydantic's errors as one InputError: field, what was given, what is accepted."""
    grouped: dict[str, list[str]] = {}
    given: dict[str, str] = {}
    for err in exc.errors():
        field, message = _one(err, model)
        if message not in grouped.setdefault(field, []):
            grouped[field].append(message)
        if field and "input" in err:
            given.setdefault(field, f", given {_shown(err['input'])}")
    parts = [
        f"{field}: " + " or ".join(messages) + given.get(field, "")
        if field
        else "; ".join(messages)
        for field, messages in grouped.items()
    ]
    return InputError(f"invalid {what}: " + "; ".join(parts))


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."


def _field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The parts of an error location that are field names (not union branch tags)."""
    names: list[str] = []
    current = [model]
    for part in loc:
        key = str(part)
        owners = [c for c in current if key in c.model_fields]
        if owners:
            names.append(key)
            current = [m for c in owners for m in _models_in(c.model_fields[key].annotation)]
        elif not current and isinstance(part, str) and "[" not in key and "-" not in key:
            names.append(key)  # below a plain mapping
        elif isinstance(part, int):
            names.append(key)
    return names


def _one(err: Mapping[str, Any], model: type[BaseModel]) -> tuple[str, str]:
    loc = tuple(err.get("loc", ()))
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        names = _field_names(model, loc[:-1])
        unknown = str(loc[-1]) if loc else ""
        accepted = sorted(_fields_at(model, names))
        near = difflib.get_close_matches(unknown, accepted, n=1)
        hint = f"; did you mean {near[0]}?" if near else ""
        where = ".".join([*names, unknown])
        return "", f"unknown field {where!r}{hint} (accepted: {', '.join(accepted)})"
    field = ".".join(_field_names(model, loc))
    if kind == "missing":
        return "", f"{field} is required"
    message = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    return field, message[:1].lower() + message[1:] if field else message


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def _fields_at(model: type[BaseModel], path: list[str]) -> set[str]:
    """The field names of the (nested) model at ``path``."""
    current = [model]
    for name in path:
        current = [
            m for c in current if name in c.model_fields
            for m in _models_in(c.model_fields[name].annotation)
        ]  # fmt: skip
    return {name for c in current for name in c.model_fields}


def coerce_keywords(hints: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword values turned into the scalar types ``hints`` give them (``"8"`` -> 8.0 for a
    float, ``"yes"`` -> True for a bool, ``3.0`` -> 3 for an int); a value that is not one
    raises InputError. Names without a scalar hint pass through unchanged."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        wanted = _scalars(hints.get(name))
        out[name] = value if value is None or not wanted else _coerce(name, value, wanted)
    return out


def _scalars(hint: Any) -> tuple[type, ...]:
    """The scalar types (bool, int, float) a hint allows, ``()`` for anything else."""
    if hint in (bool, int, float):
        return (hint,)
    if get_origin(hint) in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        if args and all(a in (bool, int, float) for a in args):
            return tuple(args)
    return ()


def _coerce(name: str, value: Any, wanted: tuple[type, ...]) -> Any:
    if bool in wanted:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE
        raise InputError(f"{name} must be true or false, given {_shown(value)}")
    number: float
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{name} must be a number, given {_shown(value)}")
    try:
        number = float(value)
    except ValueError:
        raise InputError(f"{name} must be a number, given {_shown(value)}") from None
    if float in wanted:
        return number
    if not math.isfinite(number) or number != int(number):
        raise InputError(f"{name} must be a whole number, given {_shown(value)}")
    return int(number)
