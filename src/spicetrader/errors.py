"""The library's exceptions.

Every message says what was wrong and what is accepted. The CLI turns any
:class:`SpiceError` into one line on stderr and exit status 2; the web API turns
it into a 4xx response with a JSON body. Nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = [
    "AmbiguousNameError",
    "CatalogDataError",
    "InputError",
    "NotSupportedError",
    "SpiceError",
    "UnknownNameError",
]


class SpiceError(Exception):
    """Base class: an error the user can act on."""

    def to_dict(self) -> dict[str, object]:
        return {"error": type(self).__name__, "message": str(self)}


class InputError(SpiceError, ValueError):
    """The user's input (a workload, a flag, a file) is invalid."""


class NotSupportedError(InputError):
    """A valid but impossible combination (fp8 on a T4, a GGUF quant with vLLM...)."""


class UnknownNameError(InputError, LookupError):
    """A name (hardware, model, provider, precision...) matched nothing."""

    def __init__(self, kind: str, name: str, suggestions: Sequence[str] = (), hint: str = ""):
        self.kind = kind
        self.name = name
        self.suggestions = list(suggestions)
        message = f"unknown {kind} {name!r}"
        if self.suggestions:
            message += "; did you mean: " + ", ".join(self.suggestions) + "?"
        if hint:
            message += f" ({hint})"
        super().__init__(message)

    def to_dict(self) -> dict[str, object]:
        return {
            **super().to_dict(),
            "kind": self.kind,
            "name": self.name,
            "suggestions": self.suggestions,
        }


class AmbiguousNameError(InputError, LookupError):
    """A name matched several ids; the message lists them."""

    def __init__(self, kind: str, name: str, choices: Iterable[str]):
        self.kind = kind
        self.name = name
        self.choices = sorted(choices)
        super().__init__(f"{kind} {name!r} is ambiguous; choose one of: " + ", ".join(self.choices))

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "kind": self.kind, "name": self.name, "choices": self.choices}


class CatalogDataError(SpiceError):
    """A catalog data file (bundled or the user's) has a bad row."""

    def __init__(self, path: str, line: int | None, field: str | None, message: str):
        self.path = path
        self.line = line
        self.field = field
        where = path if line is None else f"{path}:{line}"
        if field:
            where += f": field {field!r}"
        super().__init__(f"{where}: {message}")
