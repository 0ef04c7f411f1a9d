# LoRA / QLoRA with MLX LM on Apple silicon (https://github.com/ml-explore/mlx-lm/blob/main/mlx_lm/LORA.md)
pip install --upgrade mlx-lm datasets
