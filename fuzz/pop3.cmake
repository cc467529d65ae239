# libFuzzer target for the POP3 server's command and message parsers; include(pop3.cmake)
# from fuzz/CMakeLists.txt. Run: pop3_fuzz -max_len=16384 CORPUS_DIR
correio_fuzz_target(pop3_fuzz pop3_fuzz.cpp correio_pop3_protocol)
