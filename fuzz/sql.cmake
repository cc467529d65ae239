# libFuzzer target for the SQL query-file parser and %-expansion (src/sql/query_file.hpp);
# included by fuzz/CMakeLists.txt. Run: sql_query_file_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(sql_query_file_fuzz sql_query_file_fuzz.cpp correio_sql)
