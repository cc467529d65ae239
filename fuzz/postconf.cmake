# postconf's master.cf editor (-M/-P edits).
add_executable(postconf_master_edit_fuzz ${CMAKE_CURRENT_LIST_DIR}/postconf_master_edit_fuzz.cpp)
target_link_libraries(postconf_master_edit_fuzz PRIVATE correio_postconf)
target_link_options(postconf_master_edit_fuzz PRIVATE -fsanitize=fuzzer)
