# libFuzzer target for the checks applied to names and addresses from DNS answers (a PTR
# name is attacker-controlled); include(dns.cmake) from fuzz/CMakeLists.txt.
# Run: dns_client_name_fuzz -max_len=4096 CORPUS_DIR
add_executable(dns_client_name_fuzz ${CMAKE_CURRENT_LIST_DIR}/dns_client_name_fuzz.cpp)
target_link_libraries(dns_client_name_fuzz PRIVATE correio_dns_names)
target_link_options(dns_client_name_fuzz PRIVATE -fsanitize=fuzzer)
