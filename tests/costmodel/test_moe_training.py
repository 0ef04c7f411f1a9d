"""MoE training terms (costmodel/moe_training.py): pinned to the published model shapes."""

from __future__ import annotations

import pytest
from archs import transformer
from hypothesis import given
from hypothesis import strategies as st

from spicetrader.costmodel import estimate
from spicetrader.costmodel.moe_training import (
    GroupedGemm,
    alltoall_bytes_per_token,
    grouped_gemm_slowdown,
    moe_training_cost,
    routed_memory_bytes_per_token,
    tokens_per_expert,
    training_expert_parallel,
)

_arch = transformer


def test_alltoall_volume_is_dispatch_and_combine_forward_and_backward() -> None:
    """Qwen3-30B-A3B (config.json: hidden 2048, 48 MoE layers, top-8): each token's 8 copies
    go out and back, forward and backward, 7/8 of them to another rank at EP 8, in BF16."""
    arch = _arch("qwen3-30b-a3b")
    per_layer = 4 * 8 * 2048 * 2 * 7 / 8
    assert alltoall_bytes_per_token(arch, 8, 2.0) == pytest.approx(per_layer * 48)
    assert alltoall_bytes_per_token(arch, 1, 2.0) == 0.0


def test_rows_per_expert_follow_balanced_routing() -> None:
    """DeepSeek-V3 (256 routed experts, top-8): one 4096-token sequence on each of 8 EP ranks
    gives every expert 4096 x 8 x 8 / 256 = 1024 rows."""
    assert tokens_per_expert(_arch("deepseek-v3"), 4096, 8) == pytest.approx(1024)


def test_expert_parallel_group_with_tensor_parallel_stays_in_the_node() -> None:
    """EP x TP devices share one 8-GPU node: TP 2 leaves room for EP 4."""
    arch = _arch("deepseek-v3")
    assert training_expert_parallel(arch, 64, 2, 8) == 4
    assert training_expert_parallel(arch, 64, 1, 8) == 8
    assert training_expert_parallel(_arch("llama-3-8b"), 64, 1, 8) == 1


def test_narrow_experts_run_slower_than_wide_ones() -> None:
    """Qwen3-30B-A3B's 768-wide experts against Mixtral's 14336: with a width penalty the
    grouped GEMM of the narrow one loses more of the dense rate. With no width or rows penalty
    the experts run at ``s`` of the family's full rate, the dense GEMMs at h / (h + h0) of it."""
    gemm = GroupedGemm(share=1.0, width_half=6000, rows_half=200)
    narrow = grouped_gemm_slowdown(_arch("qwen3-30b-a3b"), 2048, hidden_half=200, gemm=gemm)
    wide = grouped_gemm_slowdown(_arch("mixtral-8x7b"), 2048, hidden_half=200, gemm=gemm)
    assert narrow > wide > 1.0
    arch = _arch("mixtral-8x7b")  # hidden 4096
    ideal = GroupedGemm(share=0.5, width_half=0, rows_half=0)
    assert grouped_gemm_slowdown(arch, 1e12, hidden_half=200, gemm=ideal) == pytest.approx(
        4096 / 4296 / 0.5
    )


def test_rows_per_expert_halve_the_rate_at_their_half() -> None:
    """An expert GEMM of exactly ``m0`` rows runs at half the rate of a very tall one."""
    arch = _arch("deepseek-v3")
    gemm = GroupedGemm(share=0.5, width_half=250, rows_half=500)
    tall = grouped_gemm_slowdown(arch, 1e12, hidden_half=400, gemm=gemm)
    assert grouped_gemm_slowdown(arch, 500, hidden_half=400, gemm=gemm) == pytest.approx(2 * tall)


@given(
    rows=st.floats(min_value=16, max_value=1e6),
    more=st.floats(min_value=1.01, max_value=100),
    width_half=st.floats(min_value=0, max_value=1e5),
    rows_half=st.floats(min_value=0, max_value=1e4),
    share=st.floats(min_value=0.05, max_value=1.0),
)
def test_more_rows_per_expert_never_slow_the_grouped_gemm(
    rows: float, more: float, width_half: float, rows_half: float, share: float
) -> None:
    arch = _arch("deepseek-v3")
    gemm = GroupedGemm(share, width_half, rows_half)
    slow = grouped_gemm_slowdown(arch, rows, hidden_half=200, gemm=gemm)
    assert grouped_gemm_slowdown(arch, rows * more, hidden_half=200, gemm=gemm) <= slow


@given(
    link=st.floats(min_value=1e9, max_value=1e13),
    faster=st.floats(min_value=1.01, max_value=100),
    passes=st.floats(min_value=0, max_value=100),
)
def test_a_faster_link_and_memory_only_shrink_the_moe_terms(
    link: float, faster: float, passes: float
) -> None:
    arch = _arch("qwen3-235b-a22b")
    common = {"ep": 8, "micro_batch_tokens": 4096.0, "hidden_half": 200.0,
              "gemm": GroupedGemm(0.5, 6000.0, 500.0), "routed_passes": passes, "act_bytes": 2.0,
              "host_layer_us": 5000.0}  # fmt: skip
    slow = moe_training_cost(arch, link_bytes_per_s=link, mem_bytes_per_s=3e12, **common)
    fast = moe_training_cost(
        arch, link_bytes_per_s=link * faster, mem_bytes_per_s=3e12 * faster, **common
    )
    assert fast.alltoall_s < slow.alltoall_s
    assert fast.memory_s <= slow.memory_s
    assert fast.gemm_slowdown == slow.gemm_slowdown
    assert fast.host_layer_s == slow.host_layer_s == pytest.approx(5e-3)


def test_routed_memory_work_counts_k_copies_of_the_hidden_vector() -> None:
    arch = _arch("gpt-oss-120b")  # hidden 2880, top-4, 36 MoE layers
    assert routed_memory_bytes_per_token(arch, 12, 2.0) == pytest.approx(12 * 4 * 2880 * 2 * 36)


def test_moe_pretraining_states_its_expert_parallel_terms_and_dense_does_not() -> None:
    common = {
        "task": "pretrain", "engine": "megatron", "hardware": "h100-sxm", "devices": 16,
        "precision": "fp8", "pretrain": {"seq_len": 4096, "global_batch_tokens": 2**22},
        "parallelism": {"data": 16},
    }  # fmt: skip
    moe = estimate({**common, "model": "qwen3-30b-a3b"})
    dense = estimate({**common, "model": "llama-3-8b"})
    assert any("expert parallel 8 over nvlink" in a and "all-to-all" in a for a in moe.assumptions)
    assert not any("expert parallel" in a for a in dense.assumptions)


def test_a_slower_device_link_slows_moe_training() -> None:
    """The all-to-all runs over the EP group's link: on B200 (NVLink 5, 900 GB/s) it takes
    half the time it takes on H100 (NVLink 4, 450 GB/s) for the same bytes."""
    arch = _arch("deepseek-v3")
    common = {"ep": 8, "micro_batch_tokens": 4096.0, "hidden_half": 200.0,
              "gemm": GroupedGemm(0.5, 6000.0, 500.0), "routed_passes": 12.0, "act_bytes": 2.0,
              "mem_bytes_per_s": 8e12, "host_layer_us": 0.0}  # fmt: skip
    h100 = moe_training_cost(arch, link_bytes_per_s=450e9, **common)
    b200 = moe_training_cost(arch, link_bytes_per_s=900e9, **common)
    assert h100.alltoall_s == pytest.approx(2 * b200.alltoall_s)


def _moe_finetune(micro_batch: int) -> tuple[float, str]:
    """(tokens/s, the MoE assumption) of a Qwen3-30B-A3B LoRA fine-tune on one B200."""
    est = estimate({
        "model": "qwen3-30b-a3b", "task": "finetune", "engine": "torchtune",
        "hardware": "b200", "devices": 1, "precision": "bf16",
        "finetune": {"method": "lora", "seq_len": 1024, "micro_batch": micro_batch},
    }).to_dict()  # fmt: skip
    note = next(a for a in est["assumptions"] if a.startswith("MoE:"))
    return float(est["training"]["tokens_per_s"]), note


def test_an_moe_finetune_gives_each_expert_its_micro_batch_rows() -> None:
    """A fine-tune states its micro-batch: Qwen3-30B-A3B (128 experts, top-8) at micro-batch 4
    x 1024 tokens gives one expert 4 x 1024 x 8 / 128 = 256 rows on one GPU (EP 1), four times
    the rows of micro-batch 1, so its grouped GEMMs lose less of the dense rate."""
    arch = _arch("qwen3-30b-a3b")
    assert tokens_per_expert(arch, 4 * 1024, 1) == pytest.approx(256)
    _, one = _moe_finetune(1)
    _, four = _moe_finetune(4)
    slowdown = {note: float(note.split("GEMMs x")[1].split(" ")[0]) for note in (one, four)}
    assert slowdown[four] < slowdown[one]


@given(micro_batch=st.integers(min_value=1, max_value=4))
def test_a_larger_micro_batch_never_slows_an_moe_finetune(micro_batch: int) -> None:
    small, _ = _moe_finetune(micro_batch)
    large, _ = _moe_finetune(micro_batch * 2)
    assert large >= small * (1 - 1e-9)


def _qwen3_b200(micro_batch: int | None) -> dict[str, object]:
    """Megatron-Bridge's Qwen3-30B-A3B row: 8 DGX-B200 GPUs, FP8, GBS 512 x 4096 tokens."""
    pretrain: dict[str, object] = {"seq_len": 4096, "global_batch_tokens": 512 * 4096}
    if micro_batch is not None:
        pretrain["micro_batch"] = micro_batch
    return estimate({
        "model": "qwen3-30b-a3b", "task": "pretrain", "engine": "megatron", "hardware": "b200",
        "devices": 8, "precision": "fp8", "parallelism": {"data": 8}, "pretrain": pretrain,
    }).to_dict()  # fmt: skip


def test_a_larger_micro_batch_speeds_small_expert_moe_training() -> None:
    """Megatron-Bridge measured Qwen3-30B-A3B on DGX-B200 at 9.7k tokens/s per GPU with MBS 1
    and 27k with MBS 4 (cases C420, C415): at MBS 1 a micro-batch of 4,096 tokens per GPU
    cannot beat the host's launch time, 48 MoE layers x t_h, and four sequences per micro-batch
    spread that floor over four times the tokens."""
    from spicetrader.costmodel.efficiency import speed_constants

    host_s = speed_constants().moe_host_layer_us * 1e-6
    assert host_s > 0
    one = _qwen3_b200(1)["training"]["tokens_per_s_per_device"]  # type: ignore[index]
    four = _qwen3_b200(4)["training"]["tokens_per_s_per_device"]  # type: ignore[index]
    assert one <= 4096 / (48 * host_s) * (1 + 1e-9)  # type: ignore[operator]
    assert four > 1.5 * one  # type: ignore[operator]


def test_the_hosts_launch_time_is_a_floor_under_the_step_not_a_sum(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a host that needs 1 s per MoE layer per micro-batch, a step of Qwen3-30B-A3B
    (48 MoE layers, one stage) is all host: 4096 x MBS tokens per GPU per 48 s, whatever the
    GPU. A host floor far below the GPU's work changes nothing (it is a max, not a sum)."""
    from spicetrader.costmodel import training
    from spicetrader.costmodel.efficiency import speed_constants

    base = speed_constants()

    def per_device(host_us: float, micro_batch: int) -> float:
        consts = base.model_copy(update={"moe_host_layer_us": host_us})
        monkeypatch.setattr(training, "speed_constants", lambda: consts)
        speed = _qwen3_b200(micro_batch)["training"]
        return float(speed["tokens_per_s_per_device"])  # type: ignore[index]

    assert per_device(1e6, 1) == pytest.approx(4096 / 48, rel=1e-9)
    bound = _qwen3_b200(1)["assumptions"]  # still under the 1 s host of the last call
    assert any(a.startswith("host-bound:") for a in bound)  # type: ignore[union-attr]
    assert per_device(1e6, 4) == pytest.approx(4 * 4096 / 48, rel=1e-9)
    assert per_device(1.0, 4) == pytest.approx(per_device(0.0, 4), rel=1e-12)


def test_pretraining_picks_the_fastest_micro_batch_that_fits_and_says_so() -> None:
    auto = _qwen3_b200(None)
    note = next(a for a in auto["assumptions"] if a.startswith("micro-batch "))
    chosen = int(note.split()[1])
    assert "(auto" in note
    speeds = {}
    for mbs in (1, 2, 4, 8):
        est = _qwen3_b200(mbs)
        if est["fits"]:
            speeds[mbs] = est["training"]["tokens_per_s_per_device"]  # type: ignore[index]
    assert chosen in speeds
    assert speeds[chosen] >= 0.99 * max(speeds.values())
    stated = _qwen3_b200(2)
    assert not any(a.startswith("micro-batch ") for a in stated["assumptions"])


def test_expert_parallel_splits_the_experts_weights_in_memory() -> None:
    """Qwen3-30B-A3B in BF16 on 8 GPUs with EP 8 and no ZeRO-3: each GPU holds the shared
    (attention, embedding, router) weights and 1/8 of the routed experts, 2 bytes each."""
    from spicetrader.costmodel.moe import routed_params

    arch = _arch("qwen3-30b-a3b")
    est = estimate({
        "model": "qwen3-30b-a3b", "task": "pretrain", "engine": "megatron", "hardware": "b200",
        "devices": 8, "precision": "bf16", "parallelism": {"data": 8, "zero": 1},
        "pretrain": {"seq_len": 4096, "global_batch_tokens": 2**21, "micro_batch": 1},
    }).to_dict()  # fmt: skip
    held = arch.total_params() - routed_params(arch) * 7 / 8
    assert est["memory"]["weights_gb"] == pytest.approx(held * 2 / 1e9, rel=1e-3)
