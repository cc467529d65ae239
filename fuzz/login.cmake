# libFuzzer target for the pre-login split's hand-off line (login/handoff.hpp), as a
# compromised login process sends it to imapd or pop3d; include(login.cmake) from
# fuzz/CMakeLists.txt. Run: login_handoff_fuzz -max_len=65536 CORPUS_DIR
correio_fuzz_target(login_handoff_fuzz login_handoff_fuzz.cpp correio_login)
