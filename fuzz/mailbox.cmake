# libFuzzer target for the mailbox store's Dovecot file parsers; include(mailbox.cmake)
# from fuzz/CMakeLists.txt. Run: mailbox_files_fuzz -max_len=4096 CORPUS_DIR
add_executable(mailbox_files_fuzz ${CMAKE_CURRENT_LIST_DIR}/mailbox_files_fuzz.cpp)
target_link_libraries(mailbox_files_fuzz PRIVATE correio_mailbox)
target_link_options(mailbox_files_fuzz PRIVATE -fsanitize=fuzzer)
