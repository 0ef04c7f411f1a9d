from __future__ import annotations

import os
from pathlib import Path

import pytest

from spicetrader.fileio import write_text_atomic


def test_write_creates_parent_and_content(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "offers.csv"
    write_text_atomic(target, "id,price\nx,1\n")
    assert target.read_text(encoding="utf-8") == "id,price\nx,1\n"


def test_failed_write_keeps_previous_file_and_leaves_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "offers.csv"
    write_text_atomic(target, "old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        write_text_atomic(target, "new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["offers.csv"]
