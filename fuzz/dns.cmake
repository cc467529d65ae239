# libFuzzer target for the checks applied to names and addresses from DNS answers (a PTR
# name is attacker-controlled); include(dns.cmake) from fuzz/CMakeLists.txt.
# Run: dns_client_name_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(dns_client_name_fuzz dns_client_name_fuzz.cpp correio_dns_names)
# DNS responses read by hand for DNSSEC/DANE (header AD flag, TLSA records).
correio_fuzz_target(dns_message_fuzz dns_message_fuzz.cpp correio_dns_names)
