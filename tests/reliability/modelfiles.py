"""Model files for the reliability tests: Hugging Face configs and tiny GGUF headers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gguf
import numpy as np

TINY_LLAMA_CONFIG: dict[str, Any] = {
    "model_type": "llama",
    "hidden_size": 8,
    "num_attention_heads": 2,
    "num_key_value_heads": 1,
    "num_hidden_layers": 2,
    "intermediate_size": 16,
    "vocab_size": 10,
    "max_position_embeddings": 128,
}

GGUF_INTS: dict[str, int] = {
    "llama.block_count": 2,
    "llama.context_length": 128,
    "llama.embedding_length": 8,
    "llama.feed_forward_length": 16,
    "llama.attention.head_count": 2,
    "llama.attention.head_count_kv": 1,
}
NAME_MARKER = "tiny-name-marker"


def write_gguf(path: Path, ints: dict[str, int | str] | None = None) -> Path:
    """A llama GGUF header with ``GGUF_INTS`` (overridden by ``ints``: a ``str`` value is stored as
    a GGUF string), ``general.name`` set to :data:`NAME_MARKER` and one tiny tensor."""
    writer = gguf.GGUFWriter(str(path), "llama")
    for key, value in {**GGUF_INTS, **(ints or {})}.items():
        if isinstance(value, str):
            writer.add_string(key, value)
        else:
            writer.add_uint32(key, value)
    writer.add_name(NAME_MARKER)
    writer.add_tensor("token_embd.weight", np.ones((10, 8), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path


def break_name_utf8(path: Path) -> None:
    """Overwrite ``general.name``'s bytes with invalid UTF-8 (same length)."""
    data = path.read_bytes()
    marker = NAME_MARKER.encode()
    assert marker in data
    path.write_bytes(data.replace(marker, b"\xff\xfe" * (len(marker) // 2)))
