# libFuzzer target for cleanup's header address rewriting (any client's From:/To:/Cc:) and
# the table-value splitter. Run: header_address_fuzz -max_len=4096 CORPUS_DIR
add_executable(header_address_fuzz ${CMAKE_CURRENT_LIST_DIR}/header_address_fuzz.cpp)
target_link_libraries(header_address_fuzz PRIVATE correio_cleanup)
target_link_options(header_address_fuzz PRIVATE -fsanitize=fuzzer)
