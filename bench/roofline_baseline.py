"""The plain roofline at 100% efficiency, as a baseline for ``bench/accuracy.py``.

Decode: (tensor-parallel ranks x bandwidth) / (weight bytes streamed + KV bytes) per token;
prefill: peak FLOP/s / FLOPs per token; training: devices x peak / model FLOPs per token;
images: peak / FLOPs. No efficiency, no latency terms: an upper bound on every speed.
"""

from __future__ import annotations

from typing import Any

SPEED_PREFIXES = ("inference.", "training.", "image.")


def _resolved(est: dict[str, Any]) -> tuple[Any, Any, Any]:
    from spicetrader.catalog.load import load_catalog
    from spicetrader.models.precision import resolve_precision
    from spicetrader.models.registry import resolve_model
    from spicetrader.spec.workload import Workload

    wl = Workload.model_validate(est["workload"])
    arch = resolve_model(wl.model)
    accel = load_catalog().accelerator(str(wl.hardware))
    fmt = resolve_precision(str(wl.precision))
    return arch, accel, fmt


def roofline_prediction(
    case: dict[str, Any], est: dict[str, Any] | None
) -> tuple[float | None, str]:
    """(value, "") or (None, why the roofline has no value for this case)."""
    from spicetrader.costmodel.inference import streamed_params, streamed_weight_bytes
    from spicetrader.costmodel.roofline import parse_compute_dtype, peak_flops
    from spicetrader.costmodel.training import flops_per_token
    from spicetrader.models.arch import Architecture, DiffusionArchitecture
    from spicetrader.models.weights import weight_bytes
    from spicetrader.spec.workload import Method

    metric = case["metric"]
    if not metric.startswith(SPEED_PREFIXES):
        return None, "the roofline bounds speed, not memory or fit"
    if est is None:
        return None, "the workload could not be resolved"
    arch, accel, fmt = _resolved(est)
    wl = est["workload"]
    par = wl.get("parallelism") or {}
    tp = int(par.get("tensor", 1))
    dp = int(par.get("data", 1))
    bw = accel.mem_bw_gbs * 1e9
    if metric.startswith("image."):
        if not isinstance(arch, DiffusionArchitecture):
            return None, "not a diffusion model"
        img = wl["image"]
        peak = peak_flops(accel, parse_compute_dtype(fmt.compute_dtype)).flops_per_s
        res, steps, batch = img["resolution"], img["steps"], img["batch"]
        step = arch.denoiser_gflops_per_step_at(res) * 1e9 * batch * (2 if arch.cfg else 1)
        if metric == "image.steps_per_s":
            return peak / step, ""
        extra = (arch.text_encoder_gflops + arch.vae_decode_gflops_at(res)) * 1e9 * batch
        seconds = (steps * step + extra) / peak / batch
        return (seconds if metric == "image.seconds_per_image" else 1 / seconds), ""
    if not isinstance(arch, Architecture):
        return None, "not a language model"
    if metric.startswith("inference."):
        inf = wl["inference"]
        batch = int((est.get("inference") or {}).get("batch") or inf.get("batch", 1))
        prompt, output = int(inf["prompt_tokens"]), int(inf["output_tokens"])
        kv = arch.kv_cache_elements_per_token() * 2.0 * (prompt + output / 2)
        per_step = streamed_weight_bytes(arch, weight_bytes(arch, fmt), batch) + batch * kv
        peak = peak_flops(accel, parse_compute_dtype(fmt.compute_dtype)).flops_per_s
        step_flops = batch * (
            2 * streamed_params(arch, 1) + arch.attention_flops_per_token(prompt + output // 2)
        )
        step = max(per_step / (tp * bw), step_flops / (tp * peak))  # one decode step
        flops = 2 * streamed_params(arch, 1) + arch.attention_flops_per_token(prompt // 2)
        prefill = batch * prompt * flops / (tp * peak)
        steps = max(output, 1)
        values = {
            "inference.decode_tokens_per_s": 1 / step,
            # the batch's prompts, then its decode steps (what offline throughput measures)
            "inference.throughput_tokens_per_s": dp * batch * steps / (prefill + steps * step),
            "inference.prefill_tokens_per_s": tp * peak / flops,
            "inference.ttft_s": prefill + step,
        }
        return values.get(metric), "" if metric in values else "metric not modelled"
    train = wl.get("pretrain") or wl.get("finetune") or {}
    method = Method(train.get("method", "full"))
    dtype = "bf16" if method is Method.QLORA else fmt.compute_dtype
    peak = peak_flops(accel, parse_compute_dtype(dtype)).flops_per_s
    model, _ = flops_per_token(arch, method, int(train["seq_len"]), False, 16)
    per_device = peak / model
    total = per_device * int(wl.get("devices", 1))
    tokens = float((est.get("training") or {}).get("tokens") or 0.0)
    values = {
        "training.tokens_per_s": total,
        "training.tokens_per_s_per_device": per_device,
        "training.mfu": 1.0,
        "training.total_hours": tokens / total / 3600 if tokens else None,
        "training.device_hours": tokens / per_device / 3600 if tokens else None,
    }
    value = values.get(metric)
    return value, "" if value is not None else "metric not modelled"
