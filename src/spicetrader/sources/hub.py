"""Fetch a model's ``config.json`` from the Hugging Face Hub (the ``fetch_config`` hook).

``huggingface_hub.hf_hub_download`` caches the file (``~/.cache/huggingface`` or ``HF_HUB_CACHE``)
and honours ``HF_TOKEN`` itself. Every Hub failure becomes an
:class:`~spicetrader.errors.InputError` that says what to do.
Docs: https://huggingface.co/docs/huggingface_hub/guides/download

Offline is quick and quiet: with ``HF_HUB_OFFLINE`` set (in the environment now, or when the Hub
library was imported), or when the Hub's host does not answer a TCP connection within
:data:`HUB_TIMEOUT_S`, only the local cache is read (the Hub library would otherwise retry for
about 24 s); the Hub library's own log lines (retries, warnings) are silenced during the call.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit

from spicetrader.errors import InputError

__all__ = ["fetch_hf_config", "hub_offline", "hub_reachable", "looks_like_repo_id"]

# The Hub's own rule: "namespace/name", letters, digits, "-", "_", "." (no "--" or "..").
_REPO_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,95}/[A-Za-z0-9][A-Za-z0-9._-]{0,95}$")


HUB_TIMEOUT_S: Final = 1.5


def hub_offline() -> bool:
    """``HF_HUB_OFFLINE`` as the Hub library reads it (at its import, or in the environment now)."""
    import huggingface_hub.constants as constants

    now = os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "on", "yes", "true")
    return bool(constants.HF_HUB_OFFLINE) or now


def hub_reachable(timeout_s: float = HUB_TIMEOUT_S) -> bool:
    """Whether the Hub's host accepts a TCP connection within ``timeout_s`` (name lookup
    included: it runs in a daemon thread that is abandoned at the deadline)."""
    import huggingface_hub.constants as constants

    parts = urlsplit(str(constants.ENDPOINT))
    host = parts.hostname or "huggingface.co"
    port = parts.port or (80 if parts.scheme == "http" else 443)
    done = threading.Event()
    answered: list[bool] = []

    def connect() -> None:
        try:
            with socket.create_connection((host, port), timeout_s):
                answered.append(True)
        except OSError:
            pass
        finally:
            done.set()

    threading.Thread(target=connect, name="hub-reachable", daemon=True).start()
    done.wait(timeout_s)
    return bool(answered)


@contextlib.contextmanager
def _quiet_hub_logs() -> Iterator[None]:
    logger = logging.getLogger("huggingface_hub")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def looks_like_repo_id(ref: str) -> bool:
    """True for "org/name" (not a name written as a path, like ``x/config.json``)."""
    from spicetrader.models.registry import looks_like_path

    return bool(_REPO_ID.match(ref)) and not looks_like_path(ref)


def _hub_errors() -> Any:
    """huggingface_hub's exception classes: the public ``errors`` module (0.24+, and the only
    home from 1.0), else ``utils``, which exported them in older releases."""
    import importlib

    try:
        module = importlib.import_module("huggingface_hub.errors")
        module.GatedRepoError  # noqa: B018 - present in every release that has the module
    except (ImportError, AttributeError):
        module = importlib.import_module("huggingface_hub.utils")
    return module


def _offline_error(errors: Any) -> type[Exception]:
    offline: type[Exception] = getattr(
        errors, "OfflineModeIsEnabled", errors.LocalEntryNotFoundError
    )
    return offline


def fetch_hf_config(
    repo_id: str,
    *,
    revision: str | None = None,
    cache_dir: Path | None = None,
    local_files_only: bool = False,
) -> dict[str, Any]:
    """The parsed ``config.json`` of ``repo_id`` (downloaded once, then from the cache)."""
    from huggingface_hub import hf_hub_download

    errors = _hub_errors()
    if not _REPO_ID.match(repo_id):
        raise InputError(
            f"{repo_id!r} is not a Hugging Face repo id; expected 'org/name' "
            "(e.g. meta-llama/Llama-3.1-8B)"
        )
    where = repo_id if revision is None else f"{repo_id}@{revision}"
    cache_only = local_files_only or hub_offline() or not hub_reachable()
    try:
        with _quiet_hub_logs():
            path = hf_hub_download(
                repo_id,
                "config.json",
                revision=revision,
                cache_dir=cache_dir,
                local_files_only=cache_only,
                etag_timeout=HUB_TIMEOUT_S,
            )
    except errors.GatedRepoError:  # a subclass of RepositoryNotFoundError: test it first
        raise InputError(
            f"{where} is a gated model: accept its licence on https://huggingface.co/{repo_id} "
            "and log in (huggingface-cli login, or set HF_TOKEN)"
        ) from None
    except errors.RepositoryNotFoundError:
        raise InputError(
            f"no model {repo_id!r} on the Hugging Face Hub (or it is private: set HF_TOKEN); "
            "check the spelling, or use a catalog id (spice models list)"
        ) from None
    except errors.RevisionNotFoundError:
        raise InputError(f"{repo_id!r} has no revision {revision!r}") from None
    except (errors.LocalEntryNotFoundError, _offline_error(errors)):
        raise InputError(
            f"config.json of {where} is not in the Hugging Face cache and the Hub cannot be "
            "reached (offline, or HF_HUB_OFFLINE=1); connect once to download it, or pass a "
            "local config.json path"
        ) from None
    except errors.EntryNotFoundError:
        raise InputError(
            f"{where} has no config.json (a GGUF-only repo? pass the .gguf file path)"
        ) from None
    except errors.HfHubHTTPError as exc:
        raise InputError(f"the Hugging Face Hub refused {where}: {exc}") from None
    return _read_config(Path(str(path)), where)


def _read_config(path: Path, where: str) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"config.json of {where} could not be read: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"config.json of {where} is not a JSON object")
    return data
