# Fuzz target for the IMAP server's command parsers.
add_executable(imap_fuzz imap_fuzz.cpp)
target_link_libraries(imap_fuzz PRIVATE correio_imapd)
target_link_options(imap_fuzz PRIVATE -fsanitize=fuzzer)
