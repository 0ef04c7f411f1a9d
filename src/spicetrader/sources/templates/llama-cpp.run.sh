# -hf downloads the GGUF of that quant tag from the Hub repo (all parts of a split file)
$server -hf "$$GGUF_REPO:$$GGUF_QUANT" \
  --host 0.0.0.0 --port $port \
  --n-gpu-layers $gpu_layers --ctx-size $ctx_size --parallel $parallel
