# libFuzzer target for the resolver's parsers fed by files and main.cf: "/file" domain
# lists, domain-list values and envelope addresses; include(resolve.cmake) from
# fuzz/CMakeLists.txt. Run: resolve_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(resolve_fuzz resolve_fuzz.cpp correio_resolve)
