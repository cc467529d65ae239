# libFuzzer target for the MIME library (src/mail): every IMAP view of an arbitrary
# message. include(mime.cmake) from fuzz/CMakeLists.txt. Run: mime_fuzz -max_len=65536 DIR
add_executable(mime_fuzz ${CMAKE_CURRENT_LIST_DIR}/mime_fuzz.cpp)
target_link_libraries(mime_fuzz PRIVATE correio_mail)
target_link_options(mime_fuzz PRIVATE -fsanitize=fuzzer)
