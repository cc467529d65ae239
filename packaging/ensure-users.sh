#!/bin/sh
# Creates the system account Correio's daemons drop to when the master runs as root
# (mail_owner = correio, as Debian's postfix package creates "postfix"). A no-op for
# other users: then everything runs as the invoking user.
set -eu
[ "$(id -u)" -eq 0 ] || exit 0
if ! getent passwd correio >/dev/null; then
  echo "make deps: creating system user correio (mail_owner)"
  useradd --system --user-group --home-dir /nonexistent --no-create-home \
    --shell /usr/sbin/nologin --comment "Correio mail system" correio
fi
