# libFuzzer target for the queue-file reader; include(queue.cmake) from fuzz/CMakeLists.txt.
# Run: queue_file_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(queue_file_fuzz queue_file_fuzz.cpp correio_queue)
