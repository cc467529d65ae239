#!/bin/sh
# Runs every built libFuzzer target in BUILD_DIR/bin for SECONDS each, with a corpus
# directory per target (fuzz/corpus-NAME, ignored by git) that starts from the committed
# seeds (fuzz/seeds/NAME, read only), and a log in BUILD_DIR/NAME.log. Exits non-zero on a
# crash; a crash input found belongs in fuzz/seeds/NAME once fixed (fuzz/CMakeLists.txt).
set -eu
build=${1:?usage: fuzz/run-all.sh BUILD_DIR SECONDS}
seconds=${2:-30}
here=$(cd "$(dirname "$0")" && pwd)
status=0
found=0
for target in "$build"/bin/*_fuzz; do
  [ -x "$target" ] || continue
  found=1
  name=$(basename "$target")
  corpus="$here/corpus-$name"
  mkdir -p "$corpus"
  seeds="$here/seeds/$name"
  [ -d "$seeds" ] || seeds=
  echo "== $name ($seconds s)"
  if ! "$target" -max_total_time="$seconds" -max_len=4096 -timeout=10 \
      -artifact_prefix="$corpus/crash-" "$corpus" $seeds >"$build/$name.log" 2>&1; then
    echo "$name: FAILED, see $build/$name.log"
    tail -n 40 "$build/$name.log"
    status=1
  else
    grep -E "^#[0-9]+.*DONE" "$build/$name.log" | tail -n 1 || true
  fi
done
[ "$found" = 1 ] || { echo "no *_fuzz targets in $build/bin" >&2; exit 1; }
exit $status
