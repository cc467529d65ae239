# libFuzzer target for cleanup's header address rewriting (any client's From:/To:/Cc:) and
# the table-value splitter. Run: header_address_fuzz -max_len=4096 CORPUS_DIR
correio_fuzz_target(header_address_fuzz header_address_fuzz.cpp correio_cleanup)
