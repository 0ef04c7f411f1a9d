# the model's own weights converted to a $outtype GGUF by llama.cpp's converter
[ -d llama.cpp ] || git clone --depth 1 https://github.com/ggml-org/llama.cpp
pip install -r llama.cpp/requirements/requirements-convert_hf_to_gguf.txt "huggingface_hub[cli]"
if [ ! -f model.gguf ]; then
  huggingface-cli download "$$MODEL_ID" --local-dir hf-model --include "*.json" "*.safetensors" "tokenizer*"
  python llama.cpp/convert_hf_to_gguf.py hf-model --outtype $outtype --outfile model.gguf
fi
