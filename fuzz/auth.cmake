# libFuzzer target for the passwd-file user directory parser; include(auth.cmake) from
# fuzz/CMakeLists.txt. Run: passwd_file_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(passwd_file_fuzz passwd_file_fuzz.cpp correio_auth)

# The SASL mechanisms and base64, fed a hostile client's responses.
# Run: sasl_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(sasl_fuzz sasl_fuzz.cpp correio_auth)

# The SCRAM-SHA-256 client (the smtp agent's AUTH): server-first and server-final messages.
correio_fuzz_target(scram_client_fuzz scram_client_fuzz.cpp correio_auth)

# SASLprep (RFC 4013) of SCRAM user names and passwords, as a hostile client sends them.
correio_fuzz_target(saslprep_fuzz saslprep_fuzz.cpp correio_auth)

# The auth service's line protocol, as a hostile client or a broken server sends it.
correio_fuzz_target(auth_protocol_fuzz auth_protocol_fuzz.cpp correio_auth)
