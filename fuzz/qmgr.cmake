# libFuzzer target for qmgr's feedback values and fast flush site names; include(qmgr.cmake)
# from fuzz/CMakeLists.txt. Run: qmgr_feedback_fuzz -max_len=300 CORPUS_DIR
correio_fuzz_target(qmgr_feedback_fuzz qmgr_feedback_fuzz.cpp correio_qmgr correio_queue)
