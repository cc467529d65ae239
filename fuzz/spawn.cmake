# libFuzzer target for spawn(8)'s master.cf arguments (user=, argv=...).
# Run: spawn_options_fuzz -max_len=1024 CORPUS_DIR
correio_fuzz_target(spawn_options_fuzz spawn_options_fuzz.cpp correio_spawn_options)
