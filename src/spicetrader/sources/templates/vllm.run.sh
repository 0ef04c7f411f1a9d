vllm serve "$$MODEL_ID" \
  --host 0.0.0.0 --port $port \
  --tensor-parallel-size $tensor_parallel --pipeline-parallel-size $pipeline_parallel \
  --max-model-len $max_model_len --max-num-seqs $max_num_seqs \
  --gpu-memory-utilization $gpu_memory_utilization $precision_flags
