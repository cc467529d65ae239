# libFuzzer targets for src/mail parsers; include(mail.cmake) from fuzz/CMakeLists.txt.
# Run: address_list_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(address_list_fuzz address_list_fuzz.cpp correio_mail correio_admin)
