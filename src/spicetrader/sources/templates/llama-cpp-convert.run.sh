$server -m model.gguf \
  --host 0.0.0.0 --port $port \
  --n-gpu-layers $gpu_layers --ctx-size $ctx_size --parallel $parallel
