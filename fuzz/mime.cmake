# libFuzzer target for the MIME library (src/mail): every IMAP view of an arbitrary
# message. include(mime.cmake) from fuzz/CMakeLists.txt. Run: mime_fuzz -max_len=65536 DIR
correio_fuzz_target(mime_fuzz mime_fuzz.cpp correio_mail)
