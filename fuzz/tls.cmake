# libFuzzer target for the TLS key/certificate chain parser; include(tls.cmake) from
# fuzz/CMakeLists.txt. Run: tls_key_chain_fuzz -max_len=16384 CORPUS_DIR
add_executable(tls_key_chain_fuzz ${CMAKE_CURRENT_LIST_DIR}/tls_key_chain_fuzz.cpp)
target_link_libraries(tls_key_chain_fuzz PRIVATE correio_tls)
target_link_options(tls_key_chain_fuzz PRIVATE -fsanitize=fuzzer)

# The protocol list and cipher exclusion parsers (tls/policy.hpp).
add_executable(tls_policy_fuzz ${CMAKE_CURRENT_LIST_DIR}/tls_policy_fuzz.cpp)
target_link_libraries(tls_policy_fuzz PRIVATE correio_tls)
target_link_options(tls_policy_fuzz PRIVATE -fsanitize=fuzzer)
