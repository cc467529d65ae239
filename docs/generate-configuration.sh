#!/bin/sh
# Regenerates docs/configuration.md from the defaults table compiled into BUILD_DIR/bin/correio.
# tests/integration/test_postconf.py fails when the committed file differs.
set -eu
build=${1:?usage: docs/generate-configuration.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
"$build/bin/correio" postconf --reference-markdown > "$here/configuration.md.tmp"
mv "$here/configuration.md.tmp" "$here/configuration.md"
