# libFuzzer target for the TLS key/certificate chain parser; include(tls.cmake) from
# fuzz/CMakeLists.txt. Run: tls_key_chain_fuzz -max_len=16384 CORPUS_DIR
correio_fuzz_target(tls_key_chain_fuzz tls_key_chain_fuzz.cpp correio_tls)

# The protocol list and cipher exclusion parsers (tls/policy.hpp).
correio_fuzz_target(tls_policy_fuzz tls_policy_fuzz.cpp correio_tls)

# The master's bundle of key files handed to a service process (tls/handed_files.hpp).
correio_fuzz_target(tls_handed_files_fuzz tls_handed_files_fuzz.cpp correio_tls)
