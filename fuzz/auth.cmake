# libFuzzer target for the passwd-file user directory parser; include(auth.cmake) from
# fuzz/CMakeLists.txt. Run: passwd_file_fuzz -max_len=4096 CORPUS_DIR
add_executable(passwd_file_fuzz ${CMAKE_CURRENT_LIST_DIR}/passwd_file_fuzz.cpp)
target_link_libraries(passwd_file_fuzz PRIVATE correio_auth)
target_link_options(passwd_file_fuzz PRIVATE -fsanitize=fuzzer)

# The SASL mechanisms and base64, fed a hostile client's responses.
# Run: sasl_fuzz -max_len=4096 CORPUS_DIR
add_executable(sasl_fuzz ${CMAKE_CURRENT_LIST_DIR}/sasl_fuzz.cpp)
target_link_libraries(sasl_fuzz PRIVATE correio_auth)
target_link_options(sasl_fuzz PRIVATE -fsanitize=fuzzer)

# The SCRAM-SHA-256 client (the smtp agent's AUTH): server-first and server-final messages.
add_executable(scram_client_fuzz ${CMAKE_CURRENT_LIST_DIR}/scram_client_fuzz.cpp)
target_link_libraries(scram_client_fuzz PRIVATE correio_auth)
target_link_options(scram_client_fuzz PRIVATE -fsanitize=fuzzer)
