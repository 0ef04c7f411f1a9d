# vLLM OpenAI-compatible server (https://docs.vllm.ai/en/latest/serving/openai_compatible_server.html)
pip install --upgrade pip
pip install "vllm>=0.6"
