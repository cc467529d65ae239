# libFuzzer target for the lookup-table parsers; include(maps.cmake) from
# fuzz/CMakeLists.txt. Run: maps_fuzz -max_len=4096 CORPUS_DIR
add_executable(maps_fuzz ${CMAKE_CURRENT_LIST_DIR}/maps_fuzz.cpp)
target_link_libraries(maps_fuzz PRIVATE correio_maps)
target_link_options(maps_fuzz PRIVATE -fsanitize=fuzzer)

# regexp:, pcre: and cidr: rule files. Run: maps_rules_fuzz -max_len=4096 CORPUS_DIR
add_executable(maps_rules_fuzz ${CMAKE_CURRENT_LIST_DIR}/maps_rules_fuzz.cpp)
target_link_libraries(maps_rules_fuzz PRIVATE correio_maps)
target_link_options(maps_rules_fuzz PRIVATE -fsanitize=fuzzer)

# sqlite:/pgsql:/mysql: query files and %-expansions. Run: maps_sql_fuzz -max_len=4096 DIR
add_executable(maps_sql_fuzz ${CMAKE_CURRENT_LIST_DIR}/maps_sql_fuzz.cpp)
target_link_libraries(maps_sql_fuzz PRIVATE correio_maps)
target_link_options(maps_sql_fuzz PRIVATE -fsanitize=fuzzer)

# The network match list of mynetworks & co. Run: network_list_fuzz -max_len=1024 DIR
add_executable(network_list_fuzz ${CMAKE_CURRENT_LIST_DIR}/network_list_fuzz.cpp)
target_link_libraries(network_list_fuzz PRIVATE correio_maps)
target_link_options(network_list_fuzz PRIVATE -fsanitize=fuzzer)
