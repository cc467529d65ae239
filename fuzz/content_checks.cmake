# libFuzzer target for content inspection (header_checks(5)): the action parser of
# src/cleanup and the streaming MIME classifier of src/mail. include()d by
# fuzz/CMakeLists.txt. Run: content_checks_fuzz -max_len=65536 DIR
add_executable(content_checks_fuzz ${CMAKE_CURRENT_LIST_DIR}/content_checks_fuzz.cpp)
target_link_libraries(content_checks_fuzz PRIVATE correio_cleanup correio_mail)
target_link_options(content_checks_fuzz PRIVATE -fsanitize=fuzzer)
