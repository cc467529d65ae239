#!/usr/bin/env bash
# bench/run-all.sh [BUILD_DIR] — every benchmark against Postfix/Dovecot (`make bench`).
# Timed: never part of CI or `make test`. Each bench writes its table to bench/results/.
# smtp.sh: SMTP intake/delivery against Postfix; imap.sh: IMAP workload and idle-session
# memory against Dovecot (docs/performance.md); imap_model.sh: the IMAP concurrency model
# test for five minutes instead of twelve seconds.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=${1:-build}

"$BENCH_DIR/smtp.sh" "$BUILD_DIR"
"$BENCH_DIR/imap.sh" "$BUILD_DIR"
"$BENCH_DIR/imap_model.sh" "$BUILD_DIR"
