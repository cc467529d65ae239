# libFuzzer target for the SQL query-file parser and %-expansion (src/sql/query_file.hpp);
# included by fuzz/CMakeLists.txt. Run: sql_query_file_fuzz -max_len=4096 CORPUS_DIR
add_executable(sql_query_file_fuzz ${CMAKE_CURRENT_LIST_DIR}/sql_query_file_fuzz.cpp)
target_link_libraries(sql_query_file_fuzz PRIVATE correio_sql)
target_link_options(sql_query_file_fuzz PRIVATE -fsanitize=fuzzer)
