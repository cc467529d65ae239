# The milter client's decoders: packets, the negotiation reply, header edits, reply codes.
correio_fuzz_target(milter_fuzz milter_fuzz.cpp correio_milter)
