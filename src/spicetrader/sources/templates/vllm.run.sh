vllm serve "$$MODEL_ID" \
  --host 0.0.0.0 --port $port \
  --tensor-parallel-size $tensor_parallel \
  --max-model-len $max_model_len $extra_args
