"""Name resolution, inline architectures and strict loading of the model tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from spicetrader.errors import AmbiguousNameError, CatalogDataError, UnknownNameError
from spicetrader.models.arch import Architecture, DiffusionArchitecture
from spicetrader.models.loader import load_table
from spicetrader.models.registry import list_models, resolve_model
from spicetrader.spec.workload import InlineArchitecture

CATALOG_MODEL_IDS = [
    "llama-7b",
    "llama-13b",
    "llama-33b",
    "llama-65b",
    "llama-2-7b",
    "llama-2-13b",
    "llama-2-70b",
    "codellama-7b",
    "llama-3-8b",
    "llama-3-70b",
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.1-405b",
    "llama-3.2-1b",
    "llama-3.2-3b",
    "llama-3.3-70b",
    "mistral-7b",
    "mixtral-8x7b",
    "falcon-7b",
    "falcon-40b",
    "falcon-180b",
    "mpt-125m",
    "mpt-350m",
    "mpt-760m",
    "mpt-1b",
    "mpt-3b",
    "mpt-7b",
    "mpt-13b",
    "mpt-30b",
    "mpt-70b",
    "tinyllama-1.1b",
    "gpt2",
    "gpt2-medium",
    "gpt2-large",
    "gpt2-xl",
    "qwen2.5-7b",
    "qwen2.5-72b",
    "qwen3-30b-a3b",
    "deepseek-r1-distill-qwen-14b",
    "deepseek-v3",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "gemma-2-9b",
    "phi-3-mini",
    "bloom-176b",
    "opt-175b",
    "sd-1.5",
    "sd-2-base",
    "sdxl",
    "flux-dev",
]


def test_every_catalog_model_id_is_bundled() -> None:
    ids = {m.id for m in list_models()}
    assert set(CATALOG_MODEL_IDS) <= ids, set(CATALOG_MODEL_IDS) - ids


@pytest.mark.parametrize(
    ("name", "expected"),
    [("meta-llama/Llama-2-7b-hf", "llama-2-7b"), ("llama-3-8b-instruct", "llama-3-8b"),
     ("Meta-Llama-3.1-70B-Instruct", "llama-3.1-70b"), ("LLAMA 3.1 8B", "llama-3.1-8b"),
     ("mistralai/Mixtral-8x7B-Instruct-v0.1", "mixtral-8x7b"), ("gemma-2-9b-it", "gemma-2-9b"),
     ("stabilityai/stable-diffusion-xl-base-1.0", "sdxl"), ("qwen2.5-72b-instruct", "qwen2.5-72b")],
)  # fmt: skip
def test_aliases_and_variants_resolve_to_base(name: str, expected: str) -> None:
    assert resolve_model(name).id == expected


def test_unknown_model_suggests_nearest() -> None:
    with pytest.raises(UnknownNameError) as info:
        resolve_model("llama-2-8b")
    assert "llama-2-7b" in info.value.suggestions


def test_ambiguous_model_lists_choices() -> None:
    with pytest.raises(AmbiguousNameError) as info:
        resolve_model("llama-2-7")
    assert info.value.choices == ["llama-2-70b", "llama-2-7b"]


def test_fetch_hook_used_only_for_unknown_repo_ids() -> None:
    config = {"model_type": "llama", "hidden_size": 8, "intermediate_size": 16,
              "num_attention_heads": 2, "num_hidden_layers": 2, "vocab_size": 10}  # fmt: skip
    asked: list[str] = []

    def fetch(repo: str) -> dict[str, object]:
        asked.append(repo)
        return config

    arch = resolve_model("someone/tiny-model", fetch_config=fetch)
    assert asked == ["someone/tiny-model"]
    assert arch.id == "someone-tiny-model"
    assert resolve_model("meta-llama/Llama-2-7b-hf", fetch_config=fetch).id == "llama-2-7b"
    assert asked == ["someone/tiny-model"]


def test_inline_architecture_defaults() -> None:
    arch = resolve_model(InlineArchitecture(name="gpt-175b", layers=96, hidden=12288, heads=96,
                                            vocab=51200))  # fmt: skip
    assert isinstance(arch, Architecture)
    assert (arch.kv_heads, arch.head_dim, arch.ffn_hidden) == (96, 128, 4 * 12288)


def test_diffusion_rows() -> None:
    sd = resolve_model("sd-1.5")
    assert isinstance(sd, DiffusionArchitecture)
    assert sd.total_params() == 859_520_964 + 123_060_480 + 83_653_863
    assert sd.denoiser_gflops_per_step_at(512) == sd.denoiser_gflops_per_step
    # 4x the pixels: at least 4x the FLOPs, more where attention is quadratic.
    assert sd.denoiser_gflops_per_step_at(1024) > 4 * sd.denoiser_gflops_per_step
    assert not sd.gflops_estimated  # BK-SDM's published MACs
    flux = resolve_model("flux-dev")
    assert isinstance(flux, DiffusionArchitecture)
    assert not flux.cfg


def test_bad_row_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "models.toml"
    path.write_text(
        '[[model]]\nid = "ok"\nname = "x"\nfamily = "llama"\nlayers = 1\nhidden = 8\nheads = 2\n'
        "kv_heads = 2\nhead_dim = 4\nffn_hidden = 8\nvocab = 4\nmax_context = 8\n"
        'source = "s"\nas_of = "2024-01"\n\n'
        '[[model]]\nid = "bad"\nname = "y"\nfamily = "llama"\nlayers = -3\nhidden = 8\n'
        "heads = 2\nkv_heads = 2\nhead_dim = 4\nffn_hidden = 8\nvocab = 4\nmax_context = 8\n"
        'source = "s"\nas_of = "2024-01"\n'
    )
    with pytest.raises(CatalogDataError) as info:
        load_table(path, Architecture)
    assert (info.value.line, info.value.field) == (20, "layers")
    assert str(path) in str(info.value)


def test_an_alias_naming_two_models_is_rejected() -> None:
    from spicetrader.models.loader import check_unique

    llama = resolve_model("llama-2-7b")
    twin = llama.model_copy(update={"id": "llama-2-7b-copy", "aliases": ("Llama_2_7B_Chat",)})
    with pytest.raises(CatalogDataError, match="names both"):
        check_unique("models.toml", [llama, twin])


def _diffusion(model_id: str) -> DiffusionArchitecture:
    model = resolve_model(model_id)
    assert isinstance(model, DiffusionArchitecture)
    return model


@pytest.mark.parametrize(
    ("model_id", "published_b", "rel"),
    [("sd-3.5-large", 8.1, 0.01), ("sd-3.5-medium", 2.5, 0.02), ("wan-2.1-t2v-14b", 14.0, 0.03),
     ("wan-2.1-t2v-1.3b", 1.3, 0.1), ("flux-schnell", 12.0, 0.01)],
)  # fmt: skip
def test_diffusion_denoisers_match_published_sizes(
    model_id: str, published_b: float, rel: float
) -> None:
    # Published sizes are rounded; Wan's "1.3B" is 1.42B when counted from its config.
    assert _diffusion(model_id).denoiser_params / 1e9 == pytest.approx(published_b, rel=rel)


def test_sd35_and_flux_share_their_published_components() -> None:
    large, medium = _diffusion("sd-3.5-large"), _diffusion("sd-3.5-medium")
    assert (
        large.text_encoder_params
        == medium.text_encoder_params
        == (
            123_060_480 + 694_659_840 + 4_762_310_656  # CLIP-L + OpenCLIP bigG + T5-XXL encoder
        )
    )
    dev, schnell = _diffusion("flux-dev"), _diffusion("flux-schnell")
    assert schnell.denoiser_params == dev.denoiser_params
    assert schnell.default_steps == 4 < dev.default_steps


def test_video_clip_length_scales_tokens() -> None:
    wan = _diffusion("wan-2.1-t2v-14b")
    assert wan.is_video
    assert not _diffusion("sdxl").is_video
    # Wan-VAE: the first frame alone, then 4 frames per latent frame.
    assert (wan.latent_frames(), wan.latent_frames(1), wan.latent_frames(5)) == (21, 1, 2)
    ref = wan.denoiser_gflops_per_step_at(wan.reference_resolution)
    assert ref == wan.denoiser_gflops_per_step
    # Half the latent frames: linear FLOPs halve, attention quarters.
    half = wan.denoiser_gflops_per_step_at(wan.reference_resolution, frames=41)
    f = wan.attention_fraction
    assert half == pytest.approx(ref * ((1 - f) * 11 / 21 + f * (11 / 21) ** 2))
    assert wan.vae_decode_gflops_at(wan.reference_resolution, frames=41) == pytest.approx(
        wan.vae_decode_gflops * 41 / 81
    )


def test_video_token_count_matches_the_published_clip() -> None:
    # 1280 x 720, 81 frames, VAE stride (4, 8, 8), patch (1, 2, 2): 21 x 45 x 80 tokens.
    wan = _diffusion("wan-2.1-t2v-14b")
    per_frame = (wan.reference_resolution / wan.latent_downsample / 2) ** 2
    assert per_frame * wan.latent_frames() == 21 * 45 * 80


def test_image_models_refuse_frames() -> None:
    from spicetrader.errors import InputError

    with pytest.raises(InputError, match="1 for an image model"):
        _diffusion("sdxl").denoiser_gflops_per_step_at(1024, frames=16)
