# libFuzzer target for forward_path expansion in the local delivery agent.
# Run: local_expand_fuzz -max_len=1024 CORPUS_DIR
correio_fuzz_target(local_expand_fuzz local_expand_fuzz.cpp correio_local)
