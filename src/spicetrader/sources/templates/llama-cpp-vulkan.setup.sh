# llama.cpp server built with the Vulkan backend (AMD and Intel GPUs; needs the Vulkan SDK:
# https://github.com/ggml-org/llama.cpp/blob/master/docs/build.md#vulkan)
if [ ! -x llama.cpp/build/bin/llama-server ]; then
  git clone --depth 1 https://github.com/ggml-org/llama.cpp
  cmake -S llama.cpp -B llama.cpp/build -DGGML_VULKAN=ON -DLLAMA_CURL=ON -DCMAKE_BUILD_TYPE=Release
  cmake --build llama.cpp/build --config Release -j --target llama-server
fi
