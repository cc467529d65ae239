# libFuzzer targets for src/mail parsers; include(mail.cmake) from fuzz/CMakeLists.txt.
# Run: address_list_fuzz -max_len=4096 CORPUS_DIR
add_executable(address_list_fuzz ${CMAKE_CURRENT_LIST_DIR}/address_list_fuzz.cpp)
target_link_libraries(address_list_fuzz PRIVATE correio_mail correio_admin)
target_link_options(address_list_fuzz PRIVATE -fsanitize=fuzzer)
