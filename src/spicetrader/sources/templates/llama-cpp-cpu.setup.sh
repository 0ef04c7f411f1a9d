# llama.cpp server, CPU build (https://github.com/ggml-org/llama.cpp/blob/master/docs/build.md)
if [ ! -x llama.cpp/build/bin/llama-server ]; then
  git clone --depth 1 https://github.com/ggml-org/llama.cpp
  cmake -S llama.cpp -B llama.cpp/build -DLLAMA_CURL=ON -DCMAKE_BUILD_TYPE=Release
  cmake --build llama.cpp/build --config Release -j --target llama-server
fi
