# libFuzzer target for pipe(8)'s master.cf arguments and argv macro expansion.
# Run: pipe_options_fuzz -max_len=1024 CORPUS_DIR
add_executable(pipe_options_fuzz ${CMAKE_CURRENT_LIST_DIR}/pipe_options_fuzz.cpp)
target_link_libraries(pipe_options_fuzz PRIVATE correio_pipe)
target_link_options(pipe_options_fuzz PRIVATE -fsanitize=fuzzer)
