# postconf's master.cf editor (-M/-P edits).
correio_fuzz_target(postconf_master_edit_fuzz postconf_master_edit_fuzz.cpp correio_postconf)
