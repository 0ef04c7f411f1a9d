"""User files, safely: bounded strict reads, atomic writes under a lock, stale temp files cleaned.

* :func:`read_text_limited` reads a regular file (never a device, FIFO or folder) of at most
  ``max_bytes`` as strict UTF-8; anything else is an :class:`~spicetrader.errors.InputError`
  that names the file and says what is accepted.
* :func:`write_text_atomic` writes a temp file in the same folder, fsyncs it and renames it over the
  target: a crash (even ``kill -9``) leaves the old file or the new one, never half of one.
* :func:`locked` holds an exclusive ``flock`` on a folder: writers that read, modify and write a
  file (``spice offers add``) do it under the lock of the user's home, so two at once lose nothing.
* :func:`clean_stale_tmp` removes the temp files of writers that were killed before their rename;
  it only runs when it can take the folder's lock at once (no writer is in the middle of a write).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Final

from spicetrader.errors import InputError

try:  # POSIX; on Windows writes stay atomic but are not serialised
    import fcntl
except ImportError:  # pragma: no cover - not on the platforms CI runs
    fcntl = None  # type: ignore[assignment]

__all__ = ["clean_stale_tmp", "locked", "read_text_limited", "write_text_atomic"]

TMP_SUFFIX: Final = ".tmp"


def read_text_limited(path: Path, max_bytes: int, what: str = "file") -> str:
    """The text of the regular file ``path``: at most ``max_bytes`` bytes of UTF-8.

    Opened without blocking (a FIFO cannot hang the reader) and checked with ``fstat`` on the
    open descriptor, so a path swapped for a device after the check is still refused.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder; give a {what} path") from None
    except OSError as exc:
        raise InputError(f"cannot open {what} {path}: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{path}: is a folder; give a {what} path")
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: not a regular file (a device, FIFO or socket)")
        if info.st_size > max_bytes:
            raise InputError(_too_large(path, what, max_bytes))
        data = _read_at_most(fd, max_bytes + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # the file grew while we read it
        raise InputError(_too_large(path, what, max_bytes))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: not UTF-8 text (byte {exc.start + 1}, line {line}); save it as UTF-8"
        ) from None


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(1 << 20, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _too_large(path: Path, what: str, max_bytes: int) -> str:
    return f"{path}: {what} larger than {max_bytes:,} bytes; refused"


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temp file in the same folder, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable (POSIX: the folder entry lives in the folder's own data)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (created if missing) for the ``with`` block.

    The lock is an ``flock`` on the folder itself: no lock file is left behind, and the kernel
    releases it when the process dies, however it dies.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def clean_stale_tmp(lock: Path, *folders: Path) -> int:
    """Remove temp files (``.NAME.XXXX.tmp``) left by killed writers in ``lock`` and ``folders``
    (the folders its writers write in); how many were removed.

    Done only if ``lock`` (the folder whose lock those writers hold) is free at once, so a write
    in progress never loses its temp file.
    """
    if not lock.is_dir() or fcntl is None:
        return 0
    removed = 0
    try:
        fd = os.open(lock, os.O_RDONLY)
    except OSError:  # best effort: an unreadable folder is reported by the read that follows
        return 0
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held by a writer (or no locks on this file system): not now
            return 0
        for folder in (lock, *folders):
            for tmp in folder.glob(f".*{TMP_SUFFIX}") if folder.is_dir() else ():
                with contextlib.suppress(OSError):
                    tmp.unlink()
                    removed += 1
    finally:
        os.close(fd)
    return removed
