# llama.cpp with the Metal backend (https://github.com/ggml-org/llama.cpp/blob/master/docs/install.md)
command -v llama-server >/dev/null || brew install llama.cpp
