"""User data under concurrency and crashes (issue 14): no lost row, no half file, no leftovers.

* 220 ``add_offer_quote`` calls from 8 processes at once keep 220 rows (it lost 8 of 220 before
  the read-modify-write took the home's lock); 12 concurrent ``spice offers add`` processes too.
* ``kill -9`` during writes leaves the old or the new file, never a mix; the temp files the killed
  writer left are gone after the next start (the next load).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog
from spicetrader.sources.quotes import add_offer_quote, load_quotes, quotes_path

ADDS = 220
WORKERS = 8
_worker_catalog: list[Catalog] = []


def _init_worker() -> None:
    _worker_catalog.append(load_catalog())


def _add(args: tuple[str, int]) -> str:
    home, number = args
    entry = {
        "provider": "acme", "accelerator": "h100-sxm", "count": 8,
        "price_usd_per_hour": 10.0 + number / 100, "instance_type": f"box-{number}",
        "as_of": "2026-11-20",
    }  # fmt: skip
    return add_offer_quote(Path(home), entry, _worker_catalog[0]).id


@pytest.mark.slow
def test_220_concurrent_adds_keep_220_rows(spice_home: Path) -> None:
    context = multiprocessing.get_context("spawn")
    with context.Pool(WORKERS, initializer=_init_worker) as pool:
        added = pool.map(_add, [(str(spice_home), n) for n in range(ADDS)], chunksize=1)
    quotes = load_quotes(spice_home, load_catalog())
    assert len(added) == ADDS
    assert sorted(o.id for o in quotes.offers) == sorted(added)
    assert len(quotes.offers) == ADDS


@pytest.mark.slow
def test_concurrent_cli_adds_keep_every_row(spice_home: Path) -> None:
    count = 12
    env = {**os.environ, "SPICETRADER_HOME": str(spice_home)}
    procs = [
        subprocess.Popen(_cli_add(n), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for n in range(count)
    ]
    errors = [p.communicate(timeout=240)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * count, errors
    quotes = load_quotes(spice_home, load_catalog())
    names = sorted(o.instance_type for o in quotes.offers)
    assert names == sorted(f"cli-{n}" for n in range(count))


def _cli_add(n: int) -> list[str]:
    return [sys.executable, "-m", "spicetrader", "offers", "add", "--provider", "acme",
            "--gpu", "h100-sxm", "--count", "8", "--price-usd-per-hour", str(10 + n),
            "--instance", f"cli-{n}", "--as-of", "2026-11-20"]  # fmt: skip


_WRITER = """
import sys
from pathlib import Path
from spicetrader.fileio import locked, write_text_atomic
home = Path(sys.argv[1])
n = 0
while True:
    n += 1
    body = f"# version {n}\\n" + ("x" * 99 + "\\n") * 20000 + f"# end {n}\\n"
    with locked(home):
        write_text_atomic(home / "offers.toml", body)
"""


def _complete(text: str) -> bool:
    lines = text.splitlines()
    return (
        len(lines) == 20002
        and lines[0].removeprefix("# version ") == lines[-1].removeprefix("# end ")
        and all(line == "x" * 99 for line in lines[1:-1])
    )


@pytest.mark.slow
def test_kill_9_during_writes_leaves_a_whole_file_and_no_leftovers(spice_home: Path) -> None:
    target = quotes_path(spice_home)
    kills = 0
    for delay in (0.3, 0.45, 0.6, 0.75, 0.9, 1.1):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(spice_home)])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        kills += 1
        if target.exists():
            assert _complete(target.read_text(encoding="utf-8"))
    assert kills == 6
    # the next start (loading the user's quotes) removes what the killed writers left
    from spicetrader.fileio import clean_stale_tmp

    target.write_text("", encoding="utf-8")  # a valid, empty offers.toml
    load_quotes(spice_home, load_catalog())
    assert not list(spice_home.glob(".*.tmp"))
    assert clean_stale_tmp(spice_home) == 0


def test_a_write_in_progress_keeps_its_temp_file(spice_home: Path) -> None:
    """Cleaning skips a folder whose lock is held: a live writer's temp file survives."""
    from spicetrader.fileio import clean_stale_tmp, locked

    tmp = spice_home / ".offers.toml.abc.tmp"
    with locked(spice_home):
        tmp.write_text("half", encoding="utf-8")
        holder = subprocess.run(
            [sys.executable, "-c",
             "import sys; from pathlib import Path; from spicetrader.fileio import clean_stale_tmp;"
             "print(clean_stale_tmp(Path(sys.argv[1])))", str(spice_home)],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        assert holder.stdout.strip() == "0"
        assert tmp.exists()
    assert clean_stale_tmp(spice_home) == 1
    assert not tmp.exists()
