# libFuzzer target for spawn(8)'s master.cf arguments (user=, argv=...).
# Run: spawn_options_fuzz -max_len=1024 CORPUS_DIR
add_executable(spawn_options_fuzz ${CMAKE_CURRENT_LIST_DIR}/spawn_options_fuzz.cpp)
target_link_libraries(spawn_options_fuzz PRIVATE correio_spawn_options)
target_link_options(spawn_options_fuzz PRIVATE -fsanitize=fuzzer)
