"""Run the peer estimator llm-analysis (PyPI ``llm-analysis==0.2.2``) on prepared cases.

Runs inside a separate virtual environment that has llm-analysis installed (never a spicetrader
dependency), e.g. ``python3 -m venv /tmp/llmvenv && /tmp/llmvenv/bin/pip install
llm-analysis==0.2.2``. ``bench/accuracy.py`` calls it through a subprocess: one JSON request per
line on stdin, one JSON answer per line on stdout.

Request: {"id", "variant", "task": "infer"|"train", "model": ModelConfig fields,
          "gpu": GPUConfig fields, "dtype": DtypeConfig fields, "parallel": ParallelismConfig
          fields, "efficiency": {"flops_efficiency", "hbm_memory_efficiency"} or {}, "args": {...}}
Answer:  {"id", "variant", "result": {...selected outputs...}} or {"id", "variant", "error"}.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import sys


def _run(request: dict) -> dict:
    from llm_analysis.analysis import ActivationRecomputation, DSZeRO, LLMAnalysis
    from llm_analysis.config import DtypeConfig, GPUConfig, ModelConfig, ParallelismConfig

    analysis = LLMAnalysis(
        ModelConfig(**request["model"]),
        GPUConfig(**request["gpu"]),
        DtypeConfig(**request["dtype"]),
        ParallelismConfig(**request["parallel"]),
        **request["efficiency"],
    )
    args = dict(request["args"])
    if request["task"] == "infer":
        out = analysis.inference(**args)
        keys = (
            "prefill_latency",
            "prefill_tokens_per_sec",
            "decode_latency",
            "decode_tokens_per_sec",
            "total_tokens_per_sec",
            "kv_cache_memory_per_gpu",
            "weight_memory_per_gpu",
        )
    else:
        args["ds_zero"] = DSZeRO(args.pop("ds_zero", 0))
        args["activation_recomputation"] = ActivationRecomputation(
            args.pop("activation_recomputation", 0)
        )
        out = analysis.training(**args)
        keys = (
            "latency_per_iter",
            "total_training_latency",
            "gpu_hours",
            "(weight+op_state+grad+act)_memory_per_gpu",
        )
    return {k: out.get(k) for k in keys}


def main() -> None:
    logging.disable(logging.CRITICAL)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        answer = {"id": request["id"], "variant": request["variant"]}
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                answer["result"] = _run(request)
        except Exception as exc:  # the peer's own assertion or error: report it, go on
            answer["error"] = f"{type(exc).__name__}: {exc}"
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
