"""Every CLI/library reproducer of issue 14 gives one clear line (exit 2) or a right answer, fast.

Each case ran into a traceback, a hang, unbounded memory or silently wrong data before.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from modelfiles import TINY_LLAMA_CONFIG, break_name_utf8, write_gguf
from typer.testing import CliRunner

import spicetrader
from spicetrader.cli.app import app
from spicetrader.errors import InputError

runner = CliRunner()
FAST_S = 2.0


def one_line_error(args: list[str]) -> str:
    """Run the CLI; it must fail with status 2, one line on stderr, no traceback, in <= 2 s."""
    start = time.perf_counter()
    result = runner.invoke(app, args)
    elapsed = time.perf_counter() - start
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert elapsed <= FAST_S, f"{args} took {elapsed:.1f} s"
    return lines[0]


PLAN = ["plan", "llama-3-8b", "--usage-hours-per-month", "100", "--json"]


# -- model names -------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["estimate", "plan"])
def test_model_name_of_300_bytes(command: str) -> None:
    line = one_line_error([command, "x" * 300, "--hardware", "rtx-4090"][: 2 if command == "plan"
                                                                          else 4])  # fmt: skip
    assert "at most 200" in line


def test_org_name_that_exists_as_a_local_folder_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "org" / "model").mkdir(parents=True)
    (tmp_path / "org" / "model" / "config.json").write_text(json.dumps(TINY_LLAMA_CONFIG))
    line = one_line_error(["estimate", "org/model", "--hardware", "rtx-4090"])
    assert "Hugging Face" in line  # treated as a repo id (offline in tests), not as a folder


def test_markup_in_names_is_printed_literally(tmp_path: Path) -> None:
    folder = tmp_path / "[red]dir"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(TINY_LLAMA_CONFIG))
    result = runner.invoke(app, ["estimate", str(folder), "--hardware", "rtx-4090"])
    assert result.exit_code == 0, result.output
    assert "[red]dir" in result.stdout
    shown = runner.invoke(app, ["models", "show", str(folder)])
    assert shown.exit_code == 0
    assert "[red]dir" in shown.stdout
    assert "[/bold]" in one_line_error(["estimate", "[/bold]", "--hardware", "rtx-4090"])
    assert "[/]" in one_line_error(["estimate", "[/]", "--hardware", "rtx-4090"])


# -- model files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"num_attention_heads": 0}, "num_attention_heads"),
        ({"hidden_size": -8}, "hidden_size"),
        ({"num_hidden_layers": True}, "must be an integer"),
        ({"vocab_size": "10"}, "must be an integer"),
        ({"intermediate_size": 10**12}, "intermediate_size"),
    ],
)
def test_bad_config_dimensions(tmp_path: Path, change: dict[str, object], words: str) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({**TINY_LLAMA_CONFIG, **change}))
    assert words in one_line_error(["estimate", str(path), "--hardware", "rtx-4090"])


@pytest.mark.parametrize(
    ("ints", "words"),
    [
        ({"llama.attention.head_count": 0}, "head_count"),
        ({"llama.embedding_length": 0}, "embedding_length"),
        ({"llama.attention.head_count": "2"}, "must be an integer"),
    ],
)
def test_bad_gguf_fields(tmp_path: Path, ints: dict[str, int | str], words: str) -> None:
    path = write_gguf(tmp_path / "m.gguf", ints)
    assert words in one_line_error(["estimate", str(path), "--hardware", "rtx-4090"])


def test_gguf_string_not_utf8(tmp_path: Path) -> None:
    path = write_gguf(tmp_path / "m.gguf")
    break_name_utf8(path)
    assert "UTF-8" in one_line_error(["models", "show", str(path)])


# -- workload files ----------------------------------------------------------------------------

WORKLOAD = "model: llama-3-8b\nhardware: rtx-4090\ninference:\n  prompt_tokens: 512\n"


def _estimate_file(path: Path) -> str:
    return one_line_error(["estimate", "-f", str(path)])


@pytest.mark.parametrize(("encoding", "words"), [("latin-1", "UTF-8"), ("utf-16", "UTF-8")])
def test_workload_file_not_utf8(tmp_path: Path, encoding: str, words: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_bytes((WORKLOAD + "# café\n").encode(encoding))
    assert words in _estimate_file(path)


def test_workload_file_is_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "w.yaml"
    folder.mkdir()
    assert "folder" in _estimate_file(folder)


def test_workload_file_is_dev_zero(tmp_path: Path) -> None:
    link = tmp_path / "w.yaml"
    link.symlink_to("/dev/zero")
    assert "not a regular file" in _estimate_file(link)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")
def test_workload_file_is_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "w.yaml"
    os.mkfifo(fifo)
    assert "not a regular file" in _estimate_file(fifo)


def test_workload_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(WORKLOAD + "#" * (2 * 1024 * 1024) + "\n")
    assert "larger than" in _estimate_file(path)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_workload_file_nested_100k_deep(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"w{suffix}"
    path.write_text('{"model": "llama-3-8b", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert "nested" in _estimate_file(path)


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_workload_file_5000_digit_integer(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"w{suffix}"
    path.write_text(
        '{"model": "llama-3-8b", "hardware": "rtx-4090", "devices": ' + "9" * 5000 + "}"
    )
    _estimate_file(path)


def test_yaml_alias_bomb(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        lines.append(f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    path = tmp_path / "w.yaml"
    path.write_text("model: llama-3-8b\nhardware: rtx-4090\n" + "\n".join(lines) + "\n")
    assert "values" in _estimate_file(path)


def test_plan_reads_its_workload_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import spicetrader.spec.files as files

    reads: list[Path] = []
    real = files.read_text_limited

    def counting(path: Path, max_bytes: int, what: str = "file") -> str:
        reads.append(path)
        return real(path, max_bytes, what)

    monkeypatch.setattr(files, "read_text_limited", counting)
    path = tmp_path / "w.yaml"
    path.write_text("model: llama-3-8b\ntask: finetune\nfinetune:\n  tokens: 1.0e+8\n")
    result = runner.invoke(app, ["plan", "-f", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert reads == [path]


# -- user data ---------------------------------------------------------------------------------


def _snapshot(home: Path, meta: object, rows: str | bytes | None = None) -> Path:
    folder = home / "snapshots"
    folder.mkdir(exist_ok=True)
    csv_text = rows if rows is not None else _offers_csv(1)
    csv_path = folder / "offers-20261120T000000Z.csv"
    if isinstance(csv_text, bytes):
        csv_path.write_bytes(csv_text)
    else:
        csv_path.write_text(csv_text)
    meta_path = csv_path.with_suffix(".json")
    meta_path.write_text(json.dumps(meta))
    return meta_path


def _offers_csv(rows: int, duplicate: bool = False, price: str = "2.5") -> str:
    from spicetrader.catalog.schema import OFFER_COLUMNS

    lines = [",".join(OFFER_COLUMNS)]
    for n in range(rows):
        ident = "acme:box-0" if duplicate else f"acme:box-{n}"
        values = {"id": ident, "provider": "acme", "instance_type": ident.split(":")[1],
                  "accelerator": "h100-sxm", "count": "1", "price_usd_per_hour": price,
                  "source": "test", "as_of": "2026-11-20", "region_count": "1",
                  "regions": "us-east-1"}  # fmt: skip
        lines.append(",".join(values.get(c, "") for c in OFFER_COLUMNS))
    return "\n".join(lines) + "\n"


GOOD_META = {"taken_at": "2026-11-20T00:00:00+00:00", "providers": []}


@pytest.mark.parametrize(
    ("meta", "words"),
    [
        ({"taken_at": "yesterday", "providers": []}, "taken_at"),
        ({"taken_at": 17, "providers": []}, "taken_at"),
        ({"taken_at": "2026-11-20T00:00:00+00:00", "providers": "aws"}, "providers"),
        ({"taken_at": "2026-11-20T00:00:00+00:00", "providers": [["aws", "ok"]]}, "providers"),
        ([1, 2], "JSON object"),
    ],
)
def test_damaged_snapshot_meta(spice_home: Path, meta: object, words: str) -> None:
    _snapshot(spice_home, meta)
    line = one_line_error(PLAN)
    assert words in line
    assert "offers-20261120T000000Z.json" in line


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (b"id,provider\n\xff\xfe\n", "UTF-8"),
        (_offers_csv(3, duplicate=True), "duplicate id"),
        (_offers_csv(1, price="1e308"), "price_usd_per_hour"),
        (_offers_csv(1, price="inf"), "price_usd_per_hour"),
    ],
)
def test_damaged_snapshot_rows(spice_home: Path, rows: str | bytes, words: str) -> None:
    _snapshot(spice_home, GOOD_META, rows)
    assert words in one_line_error(PLAN)


def test_snapshot_of_100k_rows_is_refused_at_once(spice_home: Path) -> None:
    _snapshot(spice_home, GOOD_META, _offers_csv(100_000))
    assert "larger than" in one_line_error(PLAN)


def test_snapshot_over_the_row_limit_is_refused(spice_home: Path) -> None:
    _snapshot(spice_home, GOOD_META, _offers_csv(5_001))
    assert "5,001 rows, more than the 5,000" in one_line_error(PLAN)


def test_snapshot_at_the_limit_still_plans(spice_home: Path) -> None:
    _snapshot(spice_home, GOOD_META, _offers_csv(2_000))
    result = runner.invoke(app, PLAN)
    assert result.exit_code == 0, result.output


QUOTE = """[[offer]]
provider = "acme"
accelerator = "h100-sxm"
count = 8
price_usd_per_hour = 20.0
as_of = "2026-11-20"
"""


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        (("count = 8", "count = true"), "not true/false"),
        (("count = 8", "count = 8.0"), "whole number"),
        (("count = 8", "count = 1000000000"), "count"),
        (("price_usd_per_hour = 20.0", "price_usd_per_hour = 1e308"), "at most"),
        (("price_usd_per_hour = 20.0", "price_usd_per_hour = inf"), "finite"),
        (("price_usd_per_hour = 20.0", 'price_usd_per_hour = "20"'), "expected a number"),
        (('as_of = "2026-11-20"', 'as_of = "2026-11-20"\nregions = "us-east"'), "list of strings"),
    ],
)
def test_offers_toml_exact_types(spice_home: Path, replace: tuple[str, str], words: str) -> None:
    (spice_home / "offers.toml").write_text(QUOTE.replace(*replace))
    line = one_line_error(PLAN)
    assert words in line
    assert "offers.toml:1" in line


def test_offers_toml_date_literal_is_accepted(spice_home: Path) -> None:
    (spice_home / "offers.toml").write_text(QUOTE.replace('"2026-11-20"', "2026-11-20"))
    assert runner.invoke(app, PLAN).exit_code == 0


def test_system_count_1e9_names_the_file(spice_home: Path) -> None:
    (spice_home / "offers.toml").write_text(
        '[[system]]\nid = "big"\naccelerator = "h100-sxm"\ncount = 1000000000\n'
        'price_usd = 1000\npower_w = 100\nas_of = "2026-11-20"\n'
    )
    assert "offers.toml:1: field 'count'" in one_line_error(PLAN)


def test_offers_toml_not_utf8(spice_home: Path) -> None:
    (spice_home / "offers.toml").write_bytes(QUOTE.encode() + b"# \xff\n")
    assert "UTF-8" in one_line_error(PLAN)


def test_offers_add_refuses_a_price_of_1e308(spice_home: Path) -> None:
    line = one_line_error(["offers", "add", "--provider", "acme", "--gpu", "h100-sxm",
                           "--count", "1", "--price-usd-per-hour", "1e308"])  # fmt: skip
    assert "price_usd_per_hour" in line
    assert not (spice_home / "offers.toml").exists()


@pytest.mark.parametrize(
    "record",
    [
        "{not json",
        "[1, 2]",
        '{"accelerator": "h100-sxm", "devices": "all", "probed_at": "2026-11-20"}',
        '{"accelerator": "h100-sxm", "devices": [{"memory_gb": "80"}], "probed_at": "x"}',
        '{"accelerator": 7, "devices": [], "probed_at": "x"}',
        '{"accelerator": "h100-sxm", "devices": [{"memory_gb": 80}]}',
    ],
)
def test_malformed_probe_record(spice_home: Path, record: str) -> None:
    (spice_home / "probe.json").write_text(record)
    assert "probe.json" in one_line_error(PLAN)


# -- library -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "constraint",
    [{"usage_hours_per_month": "eight"}, {"images": 2.5}, {"budget_usd": True}, {"only": 3}],
)
def test_plan_constraint_of_the_wrong_type(constraint: dict[str, object]) -> None:
    with pytest.raises(InputError):
        spicetrader.plan({"model": "llama-3-8b"}, **constraint)


def test_plan_constraint_given_as_text_is_read_as_the_number() -> None:
    as_text = spicetrader.plan({"model": "llama-3-8b"}, usage_hours_per_month="8")
    as_number = spicetrader.plan({"model": "llama-3-8b"}, usage_hours_per_month=8)
    assert as_text.to_dict()["options"] == as_number.to_dict()["options"]


# -- the Hub, offline --------------------------------------------------------------------------


def test_offline_hub_fails_in_under_2_s_with_one_line() -> None:
    line = one_line_error(["estimate", "some-org/some-model", "--hardware", "rtx-4090"])
    assert "Hugging Face" in line


def test_unreachable_hub_reads_only_the_cache_without_retries(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without HF_HUB_OFFLINE, an unreachable Hub still costs one quick probe, not 24 s."""
    import huggingface_hub
    import huggingface_hub.constants

    from spicetrader.sources import hub

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub, "hub_reachable", lambda timeout_s=hub.HUB_TIMEOUT_S: False)
    calls: list[dict[str, object]] = []
    real: Callable[..., str] = huggingface_hub.hf_hub_download

    def spy(*args: object, **kwargs: object) -> str:
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", spy)
    with pytest.raises(InputError, match="not in the Hugging Face cache"):
        hub.fetch_hf_config("some-org/some-model", cache_dir=tmp_path)
    assert calls[0]["local_files_only"] is True


def test_hub_reachability_probe_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """A host that never answers (here: a name lookup that hangs) costs the timeout, no more."""
    import socket

    from spicetrader.sources import hub

    def hang(*args: object, **kwargs: object) -> socket.socket:
        time.sleep(5)
        raise OSError("unreachable")

    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.perf_counter()
    assert hub.hub_reachable(0.2) is False
    assert time.perf_counter() - start < 1.0


def test_models_list_with_no_match_is_an_empty_table() -> None:
    """Found by the fuzz suite: ``--family x`` matched nothing and the column fitting raised."""
    result = runner.invoke(app, ["models", "list", "--family", "no-such-family"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
