#!/bin/sh
# Installs the Debian packages named in the list files given as arguments that are not
# installed yet, and nothing else.
set -eu
missing=""
for pkg in $(sed -e 's/#.*//' "$@"); do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  case "$status" in
    *" installed") ;;
    *) missing="$missing $pkg" ;;
  esac
done
[ -z "$missing" ] && exit 0
echo "make deps: installing$missing"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# postfix is a test peer (tests/integration/postfix_instance.py runs private instances):
# "No configuration" keeps the package from configuring and starting a system Postfix.
echo "postfix postfix/main_mailer_type select No configuration" | $sudo debconf-set-selections
$sudo apt-get update -q
# shellcheck disable=SC2086
$sudo apt-get install -y -q --no-install-recommends $missing
