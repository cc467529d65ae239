# libFuzzer target for the mailbox store's Dovecot file parsers; include(mailbox.cmake)
# from fuzz/CMakeLists.txt. Run: mailbox_files_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(mailbox_files_fuzz mailbox_files_fuzz.cpp correio_mailbox)
