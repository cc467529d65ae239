# libFuzzer target for the lookup-table parsers; include(maps.cmake) from
# fuzz/CMakeLists.txt. Run: maps_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(maps_fuzz maps_fuzz.cpp correio_maps)

# regexp:, pcre: and cidr: rule files. Run: maps_rules_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(maps_rules_fuzz maps_rules_fuzz.cpp correio_maps)

# sqlite:/pgsql:/mysql: query files and %-expansions. Run: maps_sql_fuzz -max_len=4096 DIR
correio_fuzz_target(maps_sql_fuzz maps_sql_fuzz.cpp correio_maps)

# The network match list of mynetworks & co. Run: network_list_fuzz -max_len=1024 DIR
correio_fuzz_target(network_list_fuzz network_list_fuzz.cpp correio_maps)
