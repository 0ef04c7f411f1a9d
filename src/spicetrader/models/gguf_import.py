"""Build an :class:`Architecture` from a ``.gguf`` file's header (the ``gguf`` package's reader).

Reads the architecture metadata (``<arch>.block_count``, ``<arch>.embedding_length``,
``<arch>.feed_forward_length``, ``<arch>.attention.head_count[_kv]``, ``<arch>.context_length``,
expert counts, MLA ranks), infers biases/norms/tied output from the tensor names, and records the
exact weight bytes (sum of every tensor's ``n_bytes``) with the file's dominant quantization
(``general.file_type``) mapped to a spicetrader precision id. Only the header and tensor table
are read (the reader memory-maps the file); nothing is downloaded.
"""

from __future__ import annotations

import builtins
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from spicetrader.errors import InputError
from spicetrader.models.arch import Architecture, NormKind, PositionKind, normalise_name

__all__ = ["file_type_precision", "from_gguf"]

# GGUF architecture names -> spicetrader family names where they differ.
_FAMILY = {"gptneox": "gpt_neox", "qwen3moe": "qwen3_moe", "qwen2moe": "qwen2_moe",
           "deepseek2": "deepseek_v3", "gpt-oss": "gpt_oss"}  # fmt: skip


def file_type_precision(file_type: int) -> str | None:
    """``general.file_type`` (llama_ftype) as a spicetrader precision id, None if we lack one."""
    import gguf

    from spicetrader.models.precision import bundled_precisions

    try:
        name = gguf.LlamaFileType(file_type).name
    except ValueError:
        return None
    special = {"ALL_F32": "fp32", "MOSTLY_F16": "fp16", "MOSTLY_BF16": "bf16",
               "MOSTLY_MXFP4_MOE": "mxfp4"}  # fmt: skip
    ident = special.get(name, name.removeprefix("MOSTLY_").lower())
    return ident if ident in bundled_precisions() else None


MAX_DIMENSION = 1_000_000_000
_MAY_BE_ZERO = frozenset({"expert_shared_count", "leading_dense_block_count"})


class _Header:
    def __init__(self, path: Path):
        import gguf

        try:
            self.reader = gguf.GGUFReader(path)
        except (ValueError, OSError, IndexError) as exc:
            raise InputError(f"{path}: not a readable GGUF file ({exc})") from None
        self.path = path
        self.arch = str(self.text("general.architecture", required=True))
        self.tensors = {t.name: t for t in self.reader.tensors}

    def value(self, key: str, required: bool = False) -> Any:
        field = self.reader.get_field(key)
        if field is None:
            if required:
                raise InputError(f"{self.path}: GGUF metadata lacks {key!r}")
            return None
        try:
            return field.contents()
        except UnicodeDecodeError:
            raise InputError(f"{self.path}: GGUF metadata {key!r} is not UTF-8 text") from None
        except (ValueError, IndexError, TypeError) as exc:
            raise InputError(f"{self.path}: GGUF metadata {key!r} unreadable ({exc})") from None

    def text(self, key: str, required: bool = False) -> str | None:
        value = self.value(key, required)
        if value is not None and not isinstance(value, str):
            raise InputError(f"{self.path}: GGUF metadata {key!r} must be a string")
        return value

    def int(self, suffix: str, default: int | None = None) -> int:
        key = f"{self.arch}.{suffix}"
        value = self.value(key)
        if value is None:
            if default is None:
                raise InputError(f"{self.path}: GGUF metadata lacks {key!r}")
            return default
        if isinstance(value, list) and value:  # per-layer arrays (head_count_kv): the first
            value = value[0]
        return self.checked(key, value, 0 if suffix in _MAY_BE_ZERO else 1)

    def checked(self, key: str, value: object, least: builtins.int = 1) -> builtins.int:
        """``value`` if it is an integer in ``least..MAX_DIMENSION`` (checked before any
        arithmetic: a head count of 0 would divide by zero)."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise InputError(f"{self.path}: GGUF metadata {key!r} must be an integer")
        if not least <= value <= MAX_DIMENSION:
            raise InputError(
                f"{self.path}: GGUF metadata {key!r} must be {least} to {MAX_DIMENSION:,}, "
                f"got {value}"
            )
        return value

    def has(self, name: str) -> bool:
        return name in self.tensors


def _vocab(h: _Header, hidden: int) -> int:
    explicit = h.value(f"{h.arch}.vocab_size")
    if explicit is not None:
        return h.checked(f"{h.arch}.vocab_size", explicit)
    embd = h.tensors.get("token_embd.weight")
    if embd is None:
        raise InputError(f"{h.path}: no token_embd.weight tensor and no {h.arch}.vocab_size")
    dims = [int(d) for d in embd.shape]
    return dims[1] if dims[0] == hidden else dims[0]


def _fields(h: _Header) -> dict[str, Any]:
    hidden = h.int("embedding_length")
    heads = h.int("attention.head_count")
    experts = h.int("expert_count", default=1)
    fused = h.has("blk.0.attn_qkv.weight")
    qkv_bias = h.has("blk.0.attn_q.bias") or h.has("blk.0.attn_qkv.bias")
    norms = sum(
        h.has(f"blk.0.{n}.weight")
        for n in ("attn_norm", "attn_norm_2", "ffn_norm", "post_attention_norm", "post_ffw_norm")
    )
    learned = h.has("position_embd.weight")
    fields: dict[str, Any] = {
        "layers": h.int("block_count"),
        "hidden": hidden,
        "heads": heads,
        "kv_heads": h.int("attention.head_count_kv", default=heads),
        "head_dim": h.int("attention.key_length", default=hidden // heads),
        "ffn_hidden": h.int("feed_forward_length"),
        "vocab": _vocab(h, hidden),
        "tied_embeddings": not h.has("output.weight"),
        "gated_ffn": h.has("blk.0.ffn_gate.weight") or h.has("blk.0.ffn_gate_exps.weight"),
        "experts": experts,
        "experts_per_token": h.int("expert_used_count", default=1),
        "max_context": h.int("context_length", default=2048),
        "norm": NormKind.LAYERNORM if h.has("blk.0.attn_norm.bias") else NormKind.RMSNORM,
        "norm_bias": h.has("blk.0.attn_norm.bias"),
        "norms_per_layer": max(norms, 1),
        "qkv_bias": qkv_bias,
        "attn_out_bias": h.has("blk.0.attn_output.bias"),
        "mlp_bias": h.has("blk.0.ffn_up.bias") or h.has("blk.0.ffn_up_exps.bias"),
        "router_bias": h.has("blk.0.ffn_gate_inp.bias") or h.has("blk.0.exp_probs_b.bias"),
        "attention_sinks": h.has("blk.0.attn_sinks.weight"),
        "qk_norm": h.has("blk.0.attn_q_norm.weight"),
        "parallel_attention": fused and h.arch in ("falcon", "gptneox"),
        "position": PositionKind.LEARNED if learned else PositionKind.ROPE,
        "position_embeddings": h.int("context_length", default=2048) if learned else 0,
    }
    if experts > 1:
        fields["moe_ffn_hidden"] = h.int("expert_feed_forward_length", default=fields["ffn_hidden"])
        fields["shared_experts"] = h.int("expert_shared_count", default=0)
        fields["dense_layers"] = h.int("leading_dense_block_count", default=0)
    kv_rank = h.value(f"{h.arch}.attention.kv_lora_rank")
    if kv_rank is not None:
        rope = h.int("rope.dimension_count")
        q_rank = h.value(f"{h.arch}.attention.q_lora_rank")
        fields.update(
            kv_lora_rank=h.checked("kv_lora_rank", kv_rank),
            q_lora_rank=None if q_rank is None else h.checked("q_lora_rank", q_rank, 0),
            qk_rope_head_dim=rope, qk_nope_head_dim=fields["head_dim"] - rope,
            v_head_dim=h.int("attention.value_length"),
        )  # fmt: skip
    return fields


def from_gguf(path: Path | str) -> Architecture:
    """The architecture in a ``.gguf`` file's header, with its exact weight bytes and format."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"GGUF file not found: {path}")
    header = _Header(path)
    file_type = header.value("general.file_type")
    if file_type is not None:
        file_type = header.checked("general.file_type", file_type, 0)
    name = header.text("general.name") or path.stem
    try:
        return Architecture(
            id=re.sub(r"[^a-z0-9._+-]", "-", normalise_name(path.stem)).strip("-._+") or "gguf",
            name=str(name),
            family=_FAMILY.get(header.arch, header.arch),
            gguf_weight_bytes=sum(int(t.n_bytes) for t in header.reader.tensors),
            gguf_precision=None if file_type is None else file_type_precision(int(file_type)),
            source=str(path),
            as_of="n/a",
            **_fields(header),
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ()))
        raise InputError(f"{path}: {loc or 'header'}: {first['msg']}") from None
