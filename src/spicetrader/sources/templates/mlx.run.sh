mlx_lm.server --model "$$MODEL_ID" --host 127.0.0.1 --port $port
