# -hf downloads a GGUF from the Hub: GGUF_REPO is a repo holding GGUF files, GGUF_QUANT the quant tag
llama.cpp/build/bin/llama-server -hf "$$GGUF_REPO:$$GGUF_QUANT" \
  --host 0.0.0.0 --port $port \
  --n-gpu-layers 999 --ctx-size $max_model_len --parallel $parallel
