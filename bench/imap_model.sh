#!/usr/bin/env bash
# bench/imap_model.sh [BUILD_DIR] — the IMAP concurrency model test (issue 17's "under load"
# check) for longer than `make test` runs it: IMAP_MODEL_SECONDS (default 300) of four
# sessions doing random APPEND, STORE, EXPUNGE, MOVE, SEARCH and FETCH on one folder, each
# checking every answer against what it was told. Not timed: it fails on the first
# contradiction and prints each session's command counts.
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR=$(cd "${1:-build}" && pwd)
cd "$BENCH_DIR/../tests/integration"
CORREIO_BIN="$BUILD_DIR/bin/correio" IMAP_MODEL_SECONDS="${IMAP_MODEL_SECONDS:-300}" \
  exec /usr/bin/python3 -m pytest -q -s test_imap_concurrency_model.py
