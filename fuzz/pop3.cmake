# libFuzzer target for the POP3 server's command and message parsers; include(pop3.cmake)
# from fuzz/CMakeLists.txt. Run: pop3_fuzz -max_len=16384 CORPUS_DIR
add_executable(pop3_fuzz ${CMAKE_CURRENT_LIST_DIR}/pop3_fuzz.cpp)
target_link_libraries(pop3_fuzz PRIVATE correio_pop3_protocol)
target_link_options(pop3_fuzz PRIVATE -fsanitize=fuzzer)
