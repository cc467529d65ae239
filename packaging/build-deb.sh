#!/bin/sh
# packaging/build-deb.sh [OUT_DIR] — builds the Debian package from the committed tree:
# a clean copy (git archive) with packaging/debian as debian/, then
# `dpkg-buildpackage -us -uc -b`, then lintian. The .deb files land in OUT_DIR (default
# ./dist). Needs the build dependencies of packaging/debian/control, dpkg-dev, debhelper
# and lintian (apt-get install debhelper lintian).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$src/dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/correio" "$out"
git -C "$src" archive --format=tar HEAD | tar -x -C "$work/correio"
cp -r "$work/correio/packaging/debian" "$work/correio/debian"
(cd "$work/correio" && dpkg-buildpackage -us -uc -b)
cp "$work"/*.deb "$work"/*.changes "$out"/
if command -v lintian >/dev/null; then
  lintian --fail-on error "$out"/correio_*.changes
fi
ls -l "$out"
