"""config.json and GGUF import: round trips against the bundled rows and hand counts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gguf
import numpy as np
import pytest

from spicetrader.errors import InputError
from spicetrader.models.arch import Architecture
from spicetrader.models.gguf_import import from_gguf
from spicetrader.models.hf_config import from_hf_config
from spicetrader.models.precision import resolve_precision
from spicetrader.models.registry import resolve_model
from spicetrader.models.weights import weight_bytes

# Values copied from the published config.json files (the bundled rows cite them).
CONFIGS: dict[str, dict[str, Any]] = {
    "llama-2-7b": {"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,
                   "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32,
                   "vocab_size": 32000, "max_position_embeddings": 4096,
                   "tie_word_embeddings": False},
    "mistral-7b": {"model_type": "mistral", "hidden_size": 4096, "intermediate_size": 14336,
                   "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 8,
                   "vocab_size": 32000, "max_position_embeddings": 32768, "sliding_window": 4096},
    "mixtral-8x7b": {"model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336,
                     "num_attention_heads": 32, "num_hidden_layers": 32,
                     "num_key_value_heads": 8, "vocab_size": 32000, "num_local_experts": 8,
                     "num_experts_per_tok": 2, "max_position_embeddings": 32768},
    "qwen2.5-7b": {"model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944,
                   "num_attention_heads": 28, "num_hidden_layers": 28, "num_key_value_heads": 4,
                   "vocab_size": 152064, "tie_word_embeddings": False,
                   "max_position_embeddings": 131072, "use_sliding_window": False},
    "gemma-2-9b": {"model_type": "gemma2", "hidden_size": 3584, "intermediate_size": 14336,
                   "num_attention_heads": 16, "num_hidden_layers": 42, "num_key_value_heads": 8,
                   "head_dim": 256, "vocab_size": 256000, "max_position_embeddings": 8192,
                   "sliding_window": 4096},
    "phi-3-mini": {"model_type": "phi3", "hidden_size": 3072, "intermediate_size": 8192,
                   "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32,
                   "vocab_size": 32064, "max_position_embeddings": 4096, "sliding_window": 2047,
                   "tie_word_embeddings": False},
    "gpt2": {"model_type": "gpt2", "n_embd": 768, "n_head": 12, "n_layer": 12,
             "n_positions": 1024, "vocab_size": 50257},
    "falcon-7b": {"model_type": "falcon", "hidden_size": 4544, "num_attention_heads": 71,
                  "num_hidden_layers": 32, "vocab_size": 65024, "multi_query": True,
                  "parallel_attn": True, "bias": False, "new_decoder_architecture": False},
    "mpt-7b": {"model_type": "mpt", "d_model": 4096, "n_heads": 32, "n_layers": 32,
               "expansion_ratio": 4, "vocab_size": 50432, "max_seq_len": 2048, "no_bias": True},
    "deepseek-v3": {"model_type": "deepseek_v3", "hidden_size": 7168, "intermediate_size": 18432,
                    "moe_intermediate_size": 2048, "num_attention_heads": 128,
                    "num_key_value_heads": 128, "num_hidden_layers": 61, "n_routed_experts": 256,
                    "n_shared_experts": 1, "num_experts_per_tok": 8, "first_k_dense_replace": 3,
                    "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_rope_head_dim": 64,
                    "qk_nope_head_dim": 128, "v_head_dim": 128, "vocab_size": 129280,
                    "topk_method": "noaux_tc", "tie_word_embeddings": False,
                    "max_position_embeddings": 163840},
    "gpt-oss-20b": {"model_type": "gpt_oss", "hidden_size": 2880, "intermediate_size": 2880,
                    "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64,
                    "num_hidden_layers": 24, "num_local_experts": 32, "num_experts_per_tok": 4,
                    "vocab_size": 201088, "sliding_window": 128, "tie_word_embeddings": False,
                    "layer_types": ["sliding_attention", "full_attention"] * 12,
                    "max_position_embeddings": 131072},
    "qwen3-30b-a3b": {"model_type": "qwen3_moe", "hidden_size": 2048, "intermediate_size": 6144,
                      "moe_intermediate_size": 768, "num_attention_heads": 32,
                      "num_key_value_heads": 4, "head_dim": 128, "num_hidden_layers": 48,
                      "num_experts": 128, "num_experts_per_tok": 8, "vocab_size": 151936,
                      "tie_word_embeddings": False, "max_position_embeddings": 40960},
    "opt-175b": {"model_type": "opt", "hidden_size": 12288, "ffn_dim": 49152,
                 "num_attention_heads": 96, "num_hidden_layers": 96, "vocab_size": 50272,
                 "max_position_embeddings": 2048, "word_embed_proj_dim": 12288},
    "bloom-176b": {"model_type": "bloom", "n_embed": 14336, "n_head": 112, "n_layer": 70,
                   "vocab_size": 250880},
    "falcon-40b": {"model_type": "RefinedWeb", "hidden_size": 8192, "n_head": 128,
                   "n_head_kv": 8, "n_layer": 60, "vocab_size": 65024,
                   "new_decoder_architecture": True, "parallel_attn": True, "bias": False},
    "qwen3-8b": {"model_type": "qwen3", "hidden_size": 4096, "intermediate_size": 12288,
                 "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
                 "num_hidden_layers": 36, "vocab_size": 151936, "tie_word_embeddings": False,
                 "max_position_embeddings": 40960, "use_sliding_window": False},
    "gemma-3-1b": {"model_type": "gemma3_text", "hidden_size": 1152, "intermediate_size": 6912,
                   "num_attention_heads": 4, "num_key_value_heads": 1, "head_dim": 256,
                   "num_hidden_layers": 26, "vocab_size": 262144, "sliding_window": 512,
                   "sliding_window_pattern": 6, "max_position_embeddings": 32768},
    "gemma-3-27b": {"model_type": "gemma3",
                    "text_config": {"hidden_size": 5376, "intermediate_size": 21504,
                                    "num_attention_heads": 32, "num_key_value_heads": 16,
                                    "head_dim": 128, "num_hidden_layers": 62,
                                    "vocab_size": 262208, "sliding_window": 1024,
                                    "max_position_embeddings": 131072,
                                    "layer_types": (["sliding_attention"] * 5
                                                    + ["full_attention"]) * 10
                                                   + ["sliding_attention"] * 2},
                    "vision_config": {"hidden_size": 1152, "intermediate_size": 4304,
                                      "num_hidden_layers": 27, "patch_size": 14,
                                      "image_size": 896}},
    "llama-4-maverick": {"model_type": "llama4",
                         "text_config": {"hidden_size": 5120, "intermediate_size": 8192,
                                         "intermediate_size_mlp": 16384,
                                         "num_attention_heads": 40, "num_key_value_heads": 8,
                                         "head_dim": 128, "num_hidden_layers": 48,
                                         "num_local_experts": 128, "num_experts_per_tok": 1,
                                         "interleave_moe_layer_step": 2, "vocab_size": 202048,
                                         "attention_chunk_size": 8192,
                                         "no_rope_layers": [1, 1, 1, 0] * 12,
                                         "max_position_embeddings": 1048576}},
    "glm-4.5-air": {"model_type": "glm4_moe", "hidden_size": 4096, "intermediate_size": 10944,
                    "moe_intermediate_size": 1408, "num_attention_heads": 96,
                    "num_key_value_heads": 8, "head_dim": 128, "num_hidden_layers": 46,
                    "n_routed_experts": 128, "n_shared_experts": 1, "num_experts_per_tok": 8,
                    "first_k_dense_replace": 1, "attention_bias": True, "use_qk_norm": False,
                    "vocab_size": 151552, "tie_word_embeddings": False,
                    "max_position_embeddings": 131072},
    "kimi-k2": {"model_type": "kimi_k2", "hidden_size": 7168, "intermediate_size": 18432,
                "moe_intermediate_size": 2048, "num_attention_heads": 64,
                "num_key_value_heads": 64, "num_hidden_layers": 61, "n_routed_experts": 384,
                "n_shared_experts": 1, "num_experts_per_tok": 8, "first_k_dense_replace": 1,
                "q_lora_rank": 1536, "kv_lora_rank": 512, "qk_rope_head_dim": 64,
                "qk_nope_head_dim": 128, "v_head_dim": 128, "vocab_size": 163840,
                "topk_method": "noaux_tc", "max_position_embeddings": 131072},
    "smollm3-3b": {"model_type": "smollm3", "hidden_size": 2048, "intermediate_size": 11008,
                   "num_attention_heads": 16, "num_key_value_heads": 4, "num_hidden_layers": 36,
                   "vocab_size": 128256, "max_position_embeddings": 65536},
    "mistral-small-3.1-24b": {"model_type": "mistral3",
                              "text_config": {"hidden_size": 5120, "intermediate_size": 32768,
                                              "num_attention_heads": 32,
                                              "num_key_value_heads": 8, "head_dim": 128,
                                              "num_hidden_layers": 40, "vocab_size": 131072,
                                              "max_position_embeddings": 131072,
                                              "sliding_window": None}},
    "qwen3-next-80b-a3b": {"model_type": "qwen3_next", "hidden_size": 2048,
                           "intermediate_size": 5120, "moe_intermediate_size": 512,
                           "shared_expert_intermediate_size": 512, "num_attention_heads": 16,
                           "num_key_value_heads": 2, "head_dim": 256, "num_hidden_layers": 48,
                           "num_experts": 512, "num_experts_per_tok": 10, "vocab_size": 151936,
                           "tie_word_embeddings": False, "max_position_embeddings": 262144,
                           "full_attention_interval": 4, "linear_num_key_heads": 16,
                           "linear_num_value_heads": 32, "linear_key_head_dim": 128,
                           "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4,
                           "mlp_only_layers": [], "decoder_sparse_step": 1},
}  # fmt: skip


def test_pythia_70m_gpt_neox_published_count() -> None:
    # EleutherAI/pythia-70m config.json; the model card gives 70,426,624 parameters.
    config = {"model_type": "gpt_neox", "hidden_size": 512, "intermediate_size": 2048,
              "num_attention_heads": 8, "num_hidden_layers": 6, "vocab_size": 50304,
              "max_position_embeddings": 2048, "tie_word_embeddings": False}  # fmt: skip
    assert from_hf_config(config, name="EleutherAI/pythia-70m").total_params() == 70_426_624


def test_qwen2_moe_shared_expert() -> None:
    # Qwen/Qwen1.5-MoE-A2.7B config.json; model card: 14.3B total, 2.7B activated.
    config = {"model_type": "qwen2_moe", "hidden_size": 2048, "intermediate_size": 5632,
              "moe_intermediate_size": 1408, "shared_expert_intermediate_size": 5632,
              "num_attention_heads": 16, "num_key_value_heads": 16, "num_hidden_layers": 24,
              "num_experts": 60, "num_experts_per_tok": 4, "vocab_size": 151936,
              "tie_word_embeddings": False, "max_position_embeddings": 8192}  # fmt: skip
    arch = from_hf_config(config, name="Qwen/Qwen1.5-MoE-A2.7B")
    assert arch.total_params() / 1e9 == pytest.approx(14.3, rel=0.01)
    non_embedding_active = arch.active_params() - arch.embedding_params() - arch.lm_head_params()
    assert non_embedding_active / 1e9 == pytest.approx(2.0, rel=0.05)


@pytest.mark.parametrize("model_id", sorted(CONFIGS))
def test_config_import_matches_bundled_row(model_id: str) -> None:
    imported = from_hf_config(CONFIGS[model_id], name=model_id)
    bundled = resolve_model(model_id)
    assert isinstance(bundled, Architecture)
    assert imported.total_params() == bundled.total_params()
    assert imported.active_params() == bundled.active_params()
    assert imported.kv_cache_elements_per_token() == bundled.kv_cache_elements_per_token()


def test_imported_gemma3_counts_its_siglip_tower_and_windows() -> None:
    imported = from_hf_config(CONFIGS["gemma-3-27b"], name="gemma-3-27b")
    bundled = resolve_model("gemma-3-27b")
    assert isinstance(bundled, Architecture)
    assert imported.vision_params == bundled.vision_params == 423_060_336
    assert (imported.sliding_window, imported.sliding_window_layers) == (1024, 52)
    one_b = from_hf_config(CONFIGS["gemma-3-1b"], name="gemma-3-1b")
    assert one_b.sliding_window_layers == 26 - 26 // 6 == 22


def test_imported_llama4_interleaves_dense_and_moe_layers() -> None:
    arch = from_hf_config(CONFIGS["llama-4-maverick"], name="maverick")
    assert (arch.dense_layers, arch.moe_layers, arch.shared_experts) == (24, 24, 1)
    assert (arch.sliding_window, arch.sliding_window_layers) == (8192, 36)
    assert arch.family == "llama4"


def test_tiny_llama_config_counted_by_hand(tmp_path: Path) -> None:
    config = {"model_type": "llama", "hidden_size": 8, "intermediate_size": 16,
              "num_attention_heads": 2, "num_key_value_heads": 1, "num_hidden_layers": 2,
              "vocab_size": 10}  # fmt: skip
    # per layer: q 8x8 + k,v 8x4 each + o 8x8 = 192; gate/up/down 3x8x16 = 384; 2 norms = 16
    # embeddings 10x8 twice (untied) = 160; final norm 8
    expected = 2 * (192 + 384 + 16) + 160 + 8
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    for ref in (str(path), str(tmp_path)):
        arch = resolve_model(ref)
        assert isinstance(arch, Architecture)
        assert arch.total_params() == expected == 1352


def test_unknown_model_type_lists_supported() -> None:
    with pytest.raises(InputError, match=r"unsupported config.json model_type 't5'.*llama"):
        from_hf_config({"model_type": "t5"}, name="t5")


def test_missing_key_names_it() -> None:
    with pytest.raises(InputError, match="hidden_size"):
        from_hf_config({"model_type": "llama"}, name="broken")


def test_missing_file_and_bad_json(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        resolve_model(str(tmp_path / "nope.gguf"))
    bad = tmp_path / "config.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        resolve_model(str(bad))


def _llama_shapes(
    layers: int, hidden: int, kv_dim: int, ffn: int, vocab: int
) -> dict[str, tuple[int, ...]]:
    """GGUF tensor names and shapes (rows, columns) of a llama model."""
    shapes: dict[str, tuple[int, ...]] = {
        "token_embd.weight": (vocab, hidden),
        "output.weight": (vocab, hidden),
        "output_norm.weight": (hidden,),
    }
    for i in range(layers):
        block = f"blk.{i}."
        shapes |= {
            block + "attn_q.weight": (hidden, hidden),
            block + "attn_k.weight": (kv_dim, hidden),
            block + "attn_v.weight": (kv_dim, hidden),
            block + "attn_output.weight": (hidden, hidden),
            block + "ffn_gate.weight": (ffn, hidden),
            block + "ffn_up.weight": (ffn, hidden),
            block + "ffn_down.weight": (hidden, ffn),
            block + "attn_norm.weight": (hidden,),
            block + "ffn_norm.weight": (hidden,),
        }
    return shapes


def _write_tiny_gguf(path: Path) -> int:
    """A 2-layer llama GGUF with F32 tensors; returns the bytes of its tensors."""
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_block_count(2)
    writer.add_context_length(128)
    writer.add_embedding_length(8)
    writer.add_feed_forward_length(16)
    writer.add_head_count(2)
    writer.add_head_count_kv(1)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    shapes = _llama_shapes(2, 8, 4, 16, 10)
    total = 0
    for name, shape in shapes.items():
        data = np.ones(shape, dtype=np.float32)
        writer.add_tensor(name, data)
        total += data.nbytes
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return total


def test_gguf_import_reads_header_and_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "tiny-llama.gguf"
    tensor_bytes = _write_tiny_gguf(path)
    arch = resolve_model(str(path))
    assert isinstance(arch, Architecture)
    assert (arch.layers, arch.hidden, arch.heads, arch.kv_heads, arch.vocab) == (2, 8, 2, 1, 10)
    assert arch.total_params() == 1352  # same tiny model as the config.json test
    assert arch.gguf_weight_bytes == tensor_bytes == 1352 * 4
    assert arch.gguf_precision == "fp32"
    assert weight_bytes(arch, resolve_precision("fp32")) == tensor_bytes


def test_gguf_import_rejects_garbage(tmp_path: Path) -> None:
    path = tmp_path / "junk.gguf"
    path.write_bytes(b"not a gguf file at all")
    with pytest.raises(InputError, match="GGUF"):
        from_gguf(path)


def test_gguf_q8_0_file_matches_the_q8_0_weight_model(tmp_path: Path) -> None:
    """A real Q8_0 file (tensors quantized by the gguf package): exact bytes from the header,
    and our per-tensor model of a q8_0 file (Q8_0 matrices, F32 norms) gives the same bytes."""
    hidden, ffn, vocab = 64, 128, 16
    writer = gguf.GGUFWriter(str(tmp_path / "tiny-q8.gguf"), "llama")
    writer.add_block_count(2)
    writer.add_context_length(256)
    writer.add_embedding_length(hidden)
    writer.add_head_count(4)
    writer.add_head_count_kv(2)
    writer.add_feed_forward_length(ffn)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0)
    shapes = _llama_shapes(2, hidden, 32, ffn, vocab)
    for name, shape in shapes.items():
        data = np.ones(shape, dtype=np.float32)
        if len(shape) == 2:
            q8 = gguf.GGMLQuantizationType.Q8_0
            writer.add_tensor(name, gguf.quants.quantize(data, q8), raw_dtype=q8)
        else:
            writer.add_tensor(name, data)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()

    arch = from_gguf(tmp_path / "tiny-q8.gguf")
    assert arch.gguf_precision == "q8_0"
    q8_0 = resolve_precision("q8_0")
    modelled = weight_bytes(arch.model_copy(update={"gguf_weight_bytes": None}), q8_0)
    assert weight_bytes(arch, q8_0) == arch.gguf_weight_bytes == modelled


def test_qwen3_5_moe_import_matches_its_name() -> None:
    # Qwen/Qwen3.5-35B-A3B text_config (values as quoted by inference projects reading the
    # published config: 40 layers, 3 Gated DeltaNet : 1 gated attention, 256 experts, top 8).
    text = {"model_type": "qwen3_5_moe_text", "hidden_size": 2048, "num_hidden_layers": 40,
            "layer_types": ["linear_attention"] * 3 * 10 + ["full_attention"] * 10,
            "linear_num_key_heads": 16, "linear_num_value_heads": 32,
            "linear_key_head_dim": 128, "linear_value_head_dim": 128,
            "linear_conv_kernel_dim": 4, "head_dim": 256, "num_attention_heads": 16,
            "num_key_value_heads": 2, "attn_output_gate": True, "num_experts": 256,
            "num_experts_per_tok": 8, "moe_intermediate_size": 512,
            "shared_expert_intermediate_size": 512, "tie_word_embeddings": False,
            "vocab_size": 248320, "max_position_embeddings": 262144}  # fmt: skip
    arch = from_hf_config({"model_type": "qwen3_5_moe", "text_config": text}, name="qwen3.5")
    # "35B-A3B": 35B in all (a ~0.4B vision tower not read here), 3B active.
    assert arch.total_params() / 1e9 == pytest.approx(35.0, rel=0.02)
    assert round(arch.active_params() / 1e9) == 3
    assert (arch.linear_attention_layers, arch.attention_layers) == (30, 10)
    assert arch.kv_cache_elements_per_token() == 2 * 10 * 2 * 256
