# libFuzzer target for virtual_mailbox_maps results turned into mailbox paths.
# Run: virtual_mailbox_fuzz -max_len=512 CORPUS_DIR
correio_fuzz_target(virtual_mailbox_fuzz virtual_mailbox_fuzz.cpp correio_delivery_mailbox)
