# MLX LM server for Apple silicon (https://github.com/ml-explore/mlx-lm)
pip install --upgrade mlx-lm
