# libFuzzer target for pipe(8)'s master.cf arguments and argv macro expansion.
# Run: pipe_options_fuzz -max_len=1024 CORPUS_DIR
correio_fuzz_target(pipe_options_fuzz pipe_options_fuzz.cpp correio_pipe)
