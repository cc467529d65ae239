# libFuzzer target for content inspection (header_checks(5)): the action parser of
# src/cleanup and the streaming MIME classifier of src/mail. include()d by
# fuzz/CMakeLists.txt. Run: content_checks_fuzz -max_len=65536 DIR
correio_fuzz_target(content_checks_fuzz content_checks_fuzz.cpp correio_cleanup correio_mail)
