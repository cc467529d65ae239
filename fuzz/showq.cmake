# libFuzzer target for the showq request a local user sends; include(showq.cmake) from
# fuzz/CMakeLists.txt. Run: showq_request_fuzz -max_len=128 CORPUS_DIR
add_executable(showq_request_fuzz ${CMAKE_CURRENT_LIST_DIR}/showq_request_fuzz.cpp)
target_link_options(showq_request_fuzz PRIVATE -fsanitize=fuzzer)
