"""Precision table: exact bits per weight, name resolution, engine-specific meanings."""

from __future__ import annotations

from pathlib import Path

import gguf
import pytest

from spicetrader.errors import CatalogDataError, InputError, UnknownNameError
from spicetrader.models.gguf_mix import GGML_BITS, GGML_BLOCK
from spicetrader.models.precision import (
    PRECISION_IDS,
    PrecisionKind,
    bundled_precisions,
    load_precisions,
    resolve_precision,
)
from spicetrader.spec.workload import Engine

EXPECTED_BITS = {
    "fp32": 32.0, "bf16": 16.0, "fp16": 16.0, "fp8": 8.0, "int8": 8.0,
    "q8_0": 34 * 8 / 32, "q4_0": 18 * 8 / 32, "q5_0": 22 * 8 / 32,
    "q4_k_m": 144 * 8 / 256, "q5_k_m": 176 * 8 / 256, "q6_k": 210 * 8 / 256,
    "q3_k_m": 110 * 8 / 256, "q2_k": 84 * 8 / 256,
    "gptq-4bit": 4 + 16 / 128 + 4 / 128, "awq-4bit": 4 + 16 / 128 + 4 / 128,
    "nf4": 4 + 8 / 64 + 32 / (64 * 256), "mxfp4": 4 + 8 / 32, "nvfp4": 4 + 8 / 16,
}  # fmt: skip


@pytest.mark.parametrize(("name", "bits"), sorted(EXPECTED_BITS.items()))
def test_bits_per_weight(name: str, bits: float) -> None:
    assert resolve_precision(name).bits_per_weight == bits


def test_ggml_bits_match_the_gguf_package_block_structs() -> None:
    for type_name, bits in GGML_BITS.items():
        block, type_size = gguf.GGML_QUANT_SIZES[gguf.GGMLQuantizationType[type_name]]
        assert bits == type_size * 8 / block, type_name
        assert GGML_BLOCK[type_name] == block, type_name


def test_every_contract_id_resolves() -> None:
    for name in PRECISION_IDS:
        fmt = resolve_precision(name.replace("<bpw>", "4.65"))
        assert fmt.source
        assert fmt.compute_dtype


def test_exl2_bits_as_given_and_validated() -> None:
    fmt = resolve_precision("EXL2-2.55")
    assert (fmt.id, fmt.bits_per_weight, fmt.kind) == ("exl2-2.55", 2.55, PrecisionKind.EXL2)
    assert fmt.engines == {Engine.EXLLAMAV2}
    with pytest.raises(InputError, match=r"between 2\.0 and 8\.0"):
        resolve_precision("exl2-9")
    with pytest.raises(InputError, match="between"):
        resolve_precision("exl2-1.5")


def test_names_are_case_insensitive_and_aliases_work() -> None:
    assert resolve_precision("Q4_K_M").id == "q4_k_m"
    assert resolve_precision("bfloat16").id == "bf16"
    assert resolve_precision("GPTQ").id == "gptq-4bit"


def test_unknown_precision_lists_nearest_and_accepted() -> None:
    with pytest.raises(UnknownNameError) as info:
        resolve_precision("q9_k")
    assert "accepted: fp32" in str(info.value)
    assert info.value.suggestions


def test_mlx_int4_is_group64_with_scale_and_bias() -> None:
    assert resolve_precision("int4").bits_per_weight == 4 + 16 / 128
    mlx = resolve_precision("int4", engine=Engine.MLX)
    assert (mlx.id, mlx.bits_per_weight) == ("mlx-4bit", 4 + 32 / 64)


def test_engines_and_needs() -> None:
    table = bundled_precisions()
    assert table["q4_k_m"].engines == {Engine.LLAMA_CPP, Engine.OLLAMA}
    assert Engine.VLLM in table["awq-4bit"].engines
    assert table["nf4"].engines == {Engine.TRANSFORMERS, Engine.UNSLOTH, Engine.TORCHTUNE}
    fp8 = table["fp8"]
    assert fp8.needs == "fp8"
    assert fp8.fallback_compute_dtype == "fp16"
    assert "Marlin" in fp8.note
    assert table["fp16"].supports(Engine.MLX)
    assert not table["q4_0"].supports(Engine.VLLM)


def test_bad_precision_row_names_file_line_and_field(tmp_path: Path) -> None:
    good = (Path(__file__).parents[2] / "src/spicetrader/models/data/precisions.csv").read_text()
    lines = good.splitlines()
    lines[3] = lines[3].replace(",16,fp16,", ",-16,fp16,", 1)  # fp16 row: negative bits
    path = tmp_path / "precisions.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(CatalogDataError) as info:
        load_precisions(path)
    assert (info.value.line, info.value.field) == (4, "bits_per_weight")
