"""Fuzz the file readers: workload files (encodings, sizes, nesting), the user's data files
(``offers.toml``, snapshots, ``probe.json``) and model files (``config.json``, GGUF headers).

Property: reading gives a value or the package's own error (naming the file); never another
exception, never a hang.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from fuzzcheck import only_own_errors
from hypothesis import given
from hypothesis import strategies as st
from strategies import anything, json_number, scalar, text, workload

from conftest import FuzzCounts, examples
from spicetrader.catalog.catalog import Catalog
from spicetrader.catalog.load import load_catalog
from spicetrader.errors import SpiceError
from spicetrader.spec.files import load_workload_file
from spicetrader.spec.input import workload_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reliability"))
from modelfiles import GGUF_INTS, TINY_LLAMA_CONFIG, write_gguf

OWN = (SpiceError,)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-files")


# -- workload files ----------------------------------------------------------------------------


def _yaml_or_json(data: Any, suffix: str) -> str:
    if suffix == ".json":
        return json.dumps(data, allow_nan=True)
    import yaml

    return str(yaml.safe_dump(data, allow_unicode=True))


def _nested(depth: int) -> str:
    return '{"model": "llama-3-8b", "x": ' + "[" * depth + "]" * depth + "}"


workload_bytes = st.one_of(
    st.tuples(workload, st.sampled_from([".json", ".yaml"]),
              st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"])).map(
        lambda t: (_yaml_or_json(t[0], t[1]).encode(t[2], errors="replace"), t[1])),
    st.tuples(st.binary(max_size=300), st.sampled_from([".json", ".yaml", ".yml", ".txt"])),
    st.tuples(st.integers(1, 3000).map(lambda d: _nested(d).encode()),
              st.sampled_from([".json", ".yaml"])),
    st.tuples(st.text(max_size=200).map(lambda t: t.encode("utf-8", errors="replace")),
              st.just(".yaml")),
)  # fmt: skip


@examples(150)
@given(case=workload_bytes)
def test_workload_file(case: tuple[bytes, str], folder: Path, fuzz_counts: FuzzCounts) -> None:
    fuzz_counts["files: workload"] += 1
    content, suffix = case
    path = folder / f"w{suffix}"
    path.write_bytes(content)
    data = only_own_errors(lambda: load_workload_file(path), OWN)
    if data is not None:
        only_own_errors(lambda: workload_of(data))


# -- user data ---------------------------------------------------------------------------------

OFFER_KEYS = [
    "provider",
    "accelerator",
    "count",
    "price_usd_per_hour",
    "spot_price_usd_per_hour",
    "instance_type",
    "vcpus",
    "ram_gb",
    "regions",
    "note",
    "source",
    "as_of",
    "bogus",
]
GOOD_OFFER: dict[str, Any] = {"provider": "acme", "accelerator": "h100-sxm", "count": 8,
                              "price_usd_per_hour": 20.0, "as_of": "2026-11-20"}  # fmt: skip


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(value), repr(value))
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    return json.dumps(str(value))


toml_value = st.one_of(scalar, st.lists(scalar, max_size=3), st.just(None)).filter(
    lambda v: v is not None
)
offers_toml = st.one_of(
    st.lists(
        st.dictionaries(st.sampled_from(OFFER_KEYS), toml_value, max_size=6).map(
            lambda d: {**GOOD_OFFER, **d}
        ),
        max_size=3,
    ).map(lambda tables: "".join(
        "[[offer]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in t.items())
        for t in tables)),
    st.text(max_size=200),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)  # fmt: skip


@examples(150)
@given(body=offers_toml, raw=st.booleans())
def test_offers_toml(
    body: str, raw: bool, spice_home: Path, catalog: Catalog, fuzz_counts: FuzzCounts
) -> None:
    from spicetrader.sources.quotes import load_quotes, quotes_path

    fuzz_counts["files: offers.toml"] += 1
    path = quotes_path(spice_home)
    path.write_bytes(body.encode("latin-1", errors="replace") if raw else body.encode())
    quotes = only_own_errors(lambda: load_quotes(spice_home, catalog), OWN)
    for offer in () if quotes is None else quotes.offers:
        assert 0 < offer.price_usd_per_hour <= 1e6
        assert isinstance(offer.count, int)


TAKEN_AT = "2026-11-20T00:00:00+00:00"
meta = st.one_of(
    anything,
    st.fixed_dictionaries({"taken_at": st.one_of(text, json_number, st.just(TAKEN_AT)),
                           "providers": st.one_of(anything, st.lists(st.dictionaries(
                               st.sampled_from(["provider", "status"]), scalar), max_size=3))}),
)  # fmt: skip
CELLS = st.one_of(st.sampled_from(["", "1", "-1", "1e308", "nan", "inf", "acme", "h100-sxm",
                                   "2026-11-20", "x;y", '"', "\u00e9"]), text)  # fmt: skip


@st.composite
def snapshot_csv(draw: st.DrawFn) -> str:
    from spicetrader.catalog.schema import OFFER_COLUMNS

    good = {"id": "acme:box", "provider": "acme", "instance_type": "box",
            "accelerator": "h100-sxm", "count": "1", "price_usd_per_hour": "2.5",
            "source": "x", "as_of": "2026-11-20"}  # fmt: skip
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        row = {**good, **draw(st.dictionaries(st.sampled_from(list(OFFER_COLUMNS)), CELLS,
                                             max_size=3))}  # fmt: skip
        rows.append(",".join(json.dumps(row.get(c, "")) for c in OFFER_COLUMNS))
    header = ",".join(OFFER_COLUMNS) if draw(st.integers(0, 5)) < 5 else draw(text)
    return "\n".join([header, *rows]) + "\n"


@examples(120)
@given(meta_value=meta, csv_text=snapshot_csv())
def test_snapshot(
    meta_value: Any, csv_text: str, spice_home: Path, catalog: Catalog, fuzz_counts: FuzzCounts
) -> None:
    from spicetrader.sources.prices import current_offers

    fuzz_counts["files: snapshot"] += 1
    folder = spice_home / "snapshots"
    folder.mkdir(exist_ok=True)
    (folder / "offers-20261120T000000Z.csv").write_text(csv_text)
    (folder / "offers-20261120T000000Z.json").write_text(json.dumps(meta_value))
    only_own_errors(lambda: current_offers(spice_home, catalog), OWN)


probe_record = st.one_of(
    anything,
    st.fixed_dictionaries(
        {"accelerator": st.one_of(st.just("h100-sxm"), scalar),
         "devices": st.one_of(anything, st.lists(st.dictionaries(
             st.sampled_from(["memory_gb", "name"]), scalar), max_size=2)),
         "probed_at": scalar},
        optional={"efficiency": anything, "measurements": anything}),
)  # fmt: skip


@examples(150)
@given(record=probe_record)
def test_probe_record(
    record: Any, spice_home: Path, catalog: Catalog, fuzz_counts: FuzzCounts
) -> None:
    from spicetrader.sources.probe import local_option

    fuzz_counts["files: probe.json"] += 1
    (spice_home / "probe.json").write_text(json.dumps(record))
    option = only_own_errors(lambda: local_option(spice_home, catalog), OWN)
    if option is not None:
        assert option.memory_gb > 0


# -- model files -------------------------------------------------------------------------------

CONFIG_KEYS = [*TINY_LLAMA_CONFIG, "head_dim", "tie_word_embeddings", "num_local_experts",
               "num_experts_per_tok", "sliding_window", "rope_scaling"]  # fmt: skip
config_value = st.one_of(st.integers(-2, 2**40), scalar, st.sampled_from(
    ["llama", "mistral", "mixtral", "qwen2", "gpt2", "falcon", "deepseek_v3"]))  # fmt: skip


@examples(200)
@given(change=st.dictionaries(st.sampled_from(CONFIG_KEYS), config_value, max_size=4))
def test_config_json(change: dict[str, Any], folder: Path, fuzz_counts: FuzzCounts) -> None:
    from spicetrader.models.registry import resolve_model

    fuzz_counts["files: config.json"] += 1
    path = folder / "config.json"
    path.write_text(json.dumps({**TINY_LLAMA_CONFIG, **change}, allow_nan=True))
    arch = only_own_errors(lambda: resolve_model(str(path)), OWN)
    if arch is not None:
        assert arch.total_params() > 0


@examples(40)
@given(change=st.dictionaries(st.sampled_from(sorted(GGUF_INTS)),
                              st.one_of(st.integers(0, 2**32 - 1), st.text(max_size=5)),
                              max_size=3))  # fmt: skip
def test_gguf_header(change: dict[str, int | str], folder: Path, fuzz_counts: FuzzCounts) -> None:
    from spicetrader.models.gguf_import import from_gguf

    fuzz_counts["files: gguf"] += 1
    path = write_gguf(folder / "m.gguf", change)
    arch = only_own_errors(lambda: from_gguf(path), OWN)
    if arch is not None:
        assert arch.heads > 0


@examples(40)
@given(cut=st.integers(0, 2000), noise=st.binary(min_size=1, max_size=16))
def test_gguf_bytes(cut: int, noise: bytes, folder: Path, fuzz_counts: FuzzCounts) -> None:
    """A truncated or corrupted GGUF file."""
    from spicetrader.models.gguf_import import from_gguf

    fuzz_counts["files: gguf bytes"] += 1
    good = write_gguf(folder / "good.gguf").read_bytes()
    path = folder / "bad.gguf"
    at = min(cut, len(good))
    path.write_bytes(good[:at] + noise + good[at + len(noise) :])
    only_own_errors(lambda: from_gguf(path), OWN)
