"""Find a model architecture by id, alias, Hugging Face repo id, file path or inline spec.

Order: a path, when the name is written as one (``./x``, ``/x``, ``~/x``, ``x.json``, ``x.gguf``:
a ``config.json``, a ``.gguf`` file, or a folder holding ``config.json``);
then the bundled ids and aliases (exact, then unique prefix/substring, via
:func:`spicetrader.catalog.names.resolve`); then the same name without an ``-instruct``/``-chat``/
``-it``/``-base``/``-hf`` suffix; then, for an ``org/name`` repo id, the caller's
``fetch_config`` hook (the Hub download lives at the edge, in ``spicetrader.sources``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from spicetrader.errors import InputError, UnknownNameError
from spicetrader.models.arch import Architecture, DiffusionArchitecture
from spicetrader.models.loader import bundled_models
from spicetrader.spec.workload import InlineArchitecture

__all__ = [
    "AnyArchitecture",
    "architecture_from_inline",
    "is_bundled",
    "list_models",
    "looks_like_path",
    "resolve_model",
]

AnyArchitecture = Architecture | DiffusionArchitecture
FetchConfig = Callable[[str], Mapping[str, Any]]

_VARIANT_SUFFIX: Final = re.compile(r"([-_ ](instruct|chat|it|base|hf))+$", re.IGNORECASE)
_REPO_ID: Final = re.compile(r"^[\w.-]+/[\w.-]+$")
INLINE_SOURCE: Final = "inline architecture in the workload"
MAX_NAME_CHARS: Final = 200  # a model id, alias or Hub repo id ("org/name": 96 + 1 + 96)
MAX_PATH_CHARS: Final = 4096  # PATH_MAX on Linux
MAX_CONFIG_BYTES: Final = 4 * 1024 * 1024  # a config.json is a few kB


def list_models() -> tuple[AnyArchitecture, ...]:
    """Every bundled architecture (language models, then diffusion pipelines)."""
    return bundled_models()


@cache
def _by_id() -> Mapping[str, AnyArchitecture]:
    return MappingProxyType({m.id: m for m in bundled_models()})


def is_bundled(arch: AnyArchitecture) -> bool:
    """True for an architecture of the bundled tables (not a file, a Hub config or inline)."""
    return _by_id().get(arch.id) is arch


@cache
def _aliases() -> Mapping[str, str]:
    return MappingProxyType({alias: m.id for m in bundled_models() for alias in m.aliases})


@cache
def _exact() -> Mapping[str, str]:
    """Normalised id or alias -> id: the fast path before the fuzzy resolver."""
    from spicetrader.catalog.names import normalize

    table = {normalize(alias): ident for alias, ident in _aliases().items()}
    table.update({normalize(ident): ident for ident in _by_id()})
    return MappingProxyType(table)


def architecture_from_inline(spec: InlineArchitecture) -> Architecture:
    """The workload's inline architecture as an :class:`Architecture` (llama-style defaults:
    ``kv_heads = heads``, ``head_dim = hidden / heads``, ``ffn_hidden = 4 * hidden``)."""
    if spec.hidden % spec.heads and spec.head_dim is None:
        raise InputError(
            f"hidden ({spec.hidden}) is not a multiple of heads ({spec.heads}); give head_dim"
        )
    ffn = spec.ffn_hidden or 4 * spec.hidden
    return Architecture(
        id="inline",
        name=spec.name,
        family="custom",
        layers=spec.layers,
        hidden=spec.hidden,
        heads=spec.heads,
        kv_heads=spec.kv_heads or spec.heads,
        head_dim=spec.head_dim or spec.hidden // spec.heads,
        ffn_hidden=ffn,
        vocab=spec.vocab,
        tied_embeddings=spec.tied_embeddings,
        gated_ffn=spec.gated_ffn,
        experts=spec.experts,
        experts_per_token=spec.experts_per_token,
        max_context=spec.max_context,
        source=INLINE_SOURCE,
        as_of="n/a",
    )


def _from_path(path: Path) -> Architecture:
    from spicetrader.fileio import read_text_limited

    if path.is_dir():
        path = path / "config.json"
        if not path.is_file():
            raise InputError(f"folder {path.parent} has no config.json")
    if path.suffix.lower() == ".gguf":
        from spicetrader.models.gguf_import import from_gguf

        return from_gguf(path)
    from spicetrader.models.hf_config import from_hf_config

    text = read_text_limited(path, MAX_CONFIG_BYTES, "model config")
    try:
        config = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise InputError(f"{path}: not valid JSON (nested too deep)") from None
    if not isinstance(config, dict):
        raise InputError(f"{path}: a config.json must hold a JSON object")
    return from_hf_config(config, name=path.parent.name or path.stem, source=str(path))


_PATH_STARTS: Final = ("./", "../", ".\\", "..\\", "~", "/")


def looks_like_path(ref: str) -> bool:
    """True for a name written as a file or folder path: ``./x``, ``../x``, ``~/x``, ``/x``
    (or a Windows absolute path), or a name ending in ``.json`` / ``.gguf``. Anything else is a
    model name or a Hub repo id, even when a folder of that name exists here."""
    name = ref.strip()
    return (
        name in (".", "..")
        or name.startswith(_PATH_STARTS)
        or Path(name).is_absolute()
        or name.lower().endswith((".json", ".gguf"))
    )


def _check_length(name: str) -> None:
    limit = MAX_PATH_CHARS if looks_like_path(name) else MAX_NAME_CHARS
    if len(name) > limit:
        what = "model path" if limit == MAX_PATH_CHARS else "model name"
        raise InputError(f"{what} of {len(name):,} characters; at most {limit:,} are accepted")


def resolve_model(
    ref: str | InlineArchitecture, fetch_config: FetchConfig | None = None
) -> AnyArchitecture:
    """The architecture ``ref`` names (see the module notes for the order tried)."""
    from spicetrader.catalog.names import resolve

    if isinstance(ref, InlineArchitecture):
        return architecture_from_inline(ref)
    if not isinstance(ref, str):
        raise InputError(f"a model is a name, an org/name repo id or a path; got {ref!r}")
    name = ref.strip()
    _check_length(name)
    if looks_like_path(name):
        try:
            path = Path(name).expanduser()
        except RuntimeError:  # "~user/..." for a user this system does not know
            raise InputError(f"model path {name[:80]!r}: no such user's home folder") from None
        try:
            if not path.exists():
                raise InputError(f"model file not found: {name} (a config.json, .gguf or folder)")
            return _from_path(path)
        except OSError as exc:
            raise InputError(f"cannot read model file {name}: {exc.strerror or exc}") from None
    from spicetrader.catalog.names import normalize

    models, aliases = _by_id(), _aliases()
    exact = _exact().get(normalize(name))
    if exact is not None:
        return models[exact]
    try:
        return models[resolve("model", name, models.keys(), aliases)]
    except UnknownNameError as first:
        base = _VARIANT_SUFFIX.sub("", name)
        if base and base != name:
            try:
                return models[resolve("model", base, models.keys(), aliases)]
            except UnknownNameError:
                pass
        if fetch_config is not None and _REPO_ID.match(name):
            from spicetrader.models.hf_config import from_hf_config

            config = fetch_config(name)
            return from_hf_config(config, name=name, source=f"https://huggingface.co/{name}")
        raise UnknownNameError(
            "model", name, first.suggestions, hint="see `spice models list`"
        ) from None
