# libFuzzer target for the resolver's parsers fed by files and main.cf: "/file" domain
# lists, domain-list values and envelope addresses; include(resolve.cmake) from
# fuzz/CMakeLists.txt. Run: resolve_fuzz -max_len=4096 CORPUS_DIR
add_executable(resolve_fuzz ${CMAKE_CURRENT_LIST_DIR}/resolve_fuzz.cpp)
target_link_libraries(resolve_fuzz PRIVATE correio_resolve)
target_link_options(resolve_fuzz PRIVATE -fsanitize=fuzzer)
