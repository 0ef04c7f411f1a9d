"""Translate accuracy cases into llm-analysis 0.2.2 requests and read its answers back.

What llm-analysis can express: dense or MoE decoder transformers (no LoRA/QLoRA, no diffusion),
inference and full training, weights at 4, 8 or 16 bits. Its GPU is described with the same
catalog figures spicetrader uses (memory, bandwidth, dense fp16 peak, int8 peak, link), so both
estimators see the same hardware. Weight bits: q4/4-bit formats -> 4, q8/int8/fp8 -> 8, else 16
(llm-analysis has no fractional bits per weight, e.g. q4_k_m's 4.85).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PEER = Path(__file__).resolve().parent / "llm_analysis_peer.py"
EFFICIENCIES = {
    "peer-default": {},  # llm-analysis defaults: flops and HBM efficiency 1.0
    "peer-0.7/0.6": {"flops_efficiency": 0.6, "hbm_memory_efficiency": 0.7},
}


def _dtype(bits: float) -> dict[str, Any]:
    weight = 4 if bits <= 5 else 8 if bits <= 9 else 16
    return {
        "name": f"w{weight}a16e16",
        "weight_bits": weight,
        "activation_bits": 16,
        "embedding_bits": 16,
    }


def _request(outcome: Any) -> tuple[dict[str, Any] | None, str]:
    from roofline_baseline import _resolved
    from spicetrader.models.arch import Architecture
    from spicetrader.spec.workload import Method

    est = outcome.estimate
    metric = outcome.case["metric"]
    if est is None:
        return None, "the workload could not be resolved"
    if not metric.startswith(("inference.", "training.")):
        return None, "llm-analysis models transformer LLMs (no fit verdict, no diffusion)"
    arch, accel, fmt = _resolved(est)
    if not isinstance(arch, Architecture):
        return None, "not a transformer LLM"
    wl = est["workload"]
    par = wl.get("parallelism") or {}
    model = {
        "name": arch.id,
        "num_layers": arch.layers,
        "n_head": arch.heads,
        "hidden_dim": arch.hidden,
        "vocab_size": arch.vocab,
        "max_seq_len": arch.max_context,
        "num_key_value_heads": arch.kv_heads,
        "ffn_embed_dim": arch.ffn_hidden,
        "model_type": arch.family,
        "moe_num_experts": arch.experts,
        "moe_top_k": arch.experts_per_token,
    }
    if arch.ffn_hidden % arch.hidden:
        model["ffn_embed_dim"] = None
        model["expansion_ratio"] = arch.ffn_hidden / arch.hidden
    gpu = {
        "name": accel.id,
        "mem_per_GPU_in_GB": accel.memory_gb,
        "hbm_bandwidth_in_GB_per_sec": accel.mem_bw_gbs,
        "intra_node_bandwidth_in_GB_per_sec": max(accel.interconnect_gbs, 1.0),
        "intra_node_min_message_latency": 8e-6,
        "peak_fp16_TFLOPS": accel.fp16_tflops,
        "peak_i8_TFLOPS": accel.int8_tops,
    }
    parallel = {
        "tp_size": int(par.get("tensor", 1)),
        "pp_size": int(par.get("pipeline", 1)),
        "dp_size": int(par.get("data", 1)),
    }
    base = {"model": model, "gpu": gpu, "dtype": _dtype(fmt.bits_per_weight), "parallel": parallel}
    if metric.startswith("inference."):
        inf = wl["inference"]
        batch = int((est.get("inference") or {}).get("batch") or 1)
        args = {
            "batch_size_per_gpu": max(batch // parallel["dp_size"], 1),
            "seq_len": max(int(inf["prompt_tokens"]), 1),
            "num_tokens_to_generate": max(int(inf["output_tokens"]), 1),
        }
        return {**base, "task": "infer", "args": args}, ""
    train = wl.get("pretrain") or wl.get("finetune") or {}
    if Method(train.get("method", "full")) is not Method.FULL:
        return None, "llm-analysis has no LoRA/QLoRA"
    seq = int(train["seq_len"])
    if "global_batch_tokens" in train:
        global_batch = max(int(float(train["global_batch_tokens"]) / seq), 1)
    else:
        global_batch = int(train["micro_batch"]) * parallel["dp_size"]
    micro = max(global_batch // parallel["dp_size"], 1)
    tokens = float((est.get("training") or {}).get("tokens") or global_batch * seq)
    args = {
        "batch_size_per_gpu": micro,
        "global_batch_size": micro * parallel["dp_size"],
        "seq_len": seq,
        "total_num_tokens": int(tokens),
        "ds_zero": int(par.get("zero", 0)),
        "activation_recomputation": 2 if train.get("gradient_checkpointing") else 0,
        "flash_attn": True,
        "mlp_gated_linear_units": arch.gated_ffn,
    }
    return {**base, "task": "train", "args": args}, ""


def _value(outcome: Any, request: dict[str, Any], result: dict[str, Any]) -> float | None:
    metric = outcome.case["metric"]
    if request["task"] == "infer":
        batch = request["args"]["batch_size_per_gpu"]
        mapping = {
            "inference.decode_tokens_per_s": result["decode_tokens_per_sec"] / batch,
            "inference.prefill_tokens_per_s": result["prefill_tokens_per_sec"],
            "inference.ttft_s": result["prefill_latency"],
            "inference.throughput_tokens_per_s": result["decode_tokens_per_sec"]
            * request["parallel"]["dp_size"],
        }
        return mapping.get(metric)
    args = request["args"]
    devices = (
        request["parallel"]["dp_size"]
        * request["parallel"]["tp_size"]
        * request["parallel"]["pp_size"]
    )
    tokens_per_s = args["global_batch_size"] * args["seq_len"] / result["latency_per_iter"]
    if metric == "training.mfu":
        from roofline_baseline import _resolved
        from spicetrader.costmodel.roofline import parse_compute_dtype, peak_flops
        from spicetrader.costmodel.training import flops_per_token
        from spicetrader.spec.workload import Method

        arch, accel, fmt = _resolved(outcome.estimate)
        model, _ = flops_per_token(arch, Method.FULL, args["seq_len"], False, 16)
        peak = peak_flops(accel, parse_compute_dtype(fmt.compute_dtype)).flops_per_s
        return float(model * tokens_per_s / devices / peak)
    mapping = {
        "training.tokens_per_s": tokens_per_s,
        "training.tokens_per_s_per_device": tokens_per_s / devices,
        "training.total_hours": result["total_training_latency"] / 3600,
    }
    return mapping.get(metric)


def peer_predictions(outcomes: Sequence[Any], python: str) -> None:
    """Fill ``predicted``/``skipped`` of each outcome for the llm-analysis variants."""
    requests: list[dict[str, Any]] = []
    by_key: dict[tuple[str, str], tuple[Any, dict[str, Any]]] = {}
    for outcome in outcomes:
        request, reason = _request(outcome)
        for variant, eff in EFFICIENCIES.items():
            if request is None:
                outcome.skipped[variant] = reason
                continue
            full = {**request, "id": outcome.case["id"], "variant": variant, "efficiency": eff}
            requests.append(full)
            by_key[(outcome.case["id"], variant)] = (outcome, full)
    if not requests:
        return
    try:
        proc = subprocess.run(
            [python, str(PEER)],
            input="\n".join(json.dumps(r) for r in requests),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        for outcome, request in by_key.values():
            outcome.skipped[request["variant"]] = f"llm-analysis not runnable: {exc}"
        return
    answered = set()
    for line in proc.stdout.splitlines():
        answer = json.loads(line)
        key = (answer["id"], answer["variant"])
        outcome, request = by_key[key]
        answered.add(key)
        if "error" in answer:
            outcome.skipped[answer["variant"]] = "llm-analysis: " + answer["error"][:120]
            continue
        value = _value(outcome, request, answer["result"])
        if value is None:
            outcome.skipped[answer["variant"]] = "llm-analysis has no such output"
        else:
            outcome.predicted[answer["variant"]] = value
    for key, (outcome, request) in by_key.items():
        if key not in answered:
            outcome.skipped[request["variant"]] = (
                "llm-analysis gave no answer: " + proc.stderr[-200:]
            )
