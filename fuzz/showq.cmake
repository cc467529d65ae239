# libFuzzer target for the showq request a local user sends; include(showq.cmake) from
# fuzz/CMakeLists.txt. Run: showq_request_fuzz -max_len=128 CORPUS_DIR
correio_fuzz_target(showq_request_fuzz showq_request_fuzz.cpp)
