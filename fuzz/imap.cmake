# Fuzz target for the IMAP server's command parsers.
correio_fuzz_target(imap_fuzz imap_fuzz.cpp correio_imapd)
