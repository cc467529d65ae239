# libFuzzer target for the queue-file reader; include(queue.cmake) from fuzz/CMakeLists.txt.
# Run: queue_file_fuzz -max_len=4096 CORPUS_DIR
add_executable(queue_file_fuzz ${CMAKE_CURRENT_LIST_DIR}/queue_file_fuzz.cpp)
target_link_libraries(queue_file_fuzz PRIVATE correio_queue)
target_link_options(queue_file_fuzz PRIVATE -fsanitize=fuzzer)
