#!/usr/bin/env bash
# bench/imap.sh [BUILD_DIR] — IMAP throughput and idle-connection memory, Correio against a
# stock Dovecot 2.3 (Debian package), in the same run, on identical copies of one Maildir.
#
# 1. bench/imap_maildir.py writes a realistic 10,000-message Maildir once (BENCH_IMAP_MESSAGES;
#    1-50 KB, multipart with attachments, RFC 2047 subjects, threads, flags), copied for each
#    server (plus a 20-message one for the idle-connection user).
# 2. bench/imap_client.py workload, against Correio then Dovecot: LOGIN + SELECT (the first
#    one is cold: no index yet), FETCH 1:* ENVELOPE and BODYSTRUCTURE twice in one session
#    (cold: index/cache being built; warm), then BENCH_IMAP_SESSIONS (4) concurrent sessions
#    per phase: LOGIN+SELECT+LOGOUT, FETCH 1:* FLAGS / ENVELOPE / BODYSTRUCTURE, SEARCH by flag,
#    SUBJECT and BODY, STORE +/-FLAGS on 20-message ranges, APPEND, long sessions (a
#    client's mix of single-message FETCH/STORE/SEARCH/NOOP, no LOGOUT between commands),
#    and the IDLE wake-up latency after a file is delivered into new/.
# 3. bench/imap_client.py idle, against each server: BENCH_IMAP_IDLE_COUNTS (1000,10000)
#    authenticated connections (LOGIN, SELECT INBOX, IDLE); after each count the memory
#    (PSS and RSS from /proc/PID/smaps_rollup) of the server's whole process tree is summed.
#    Opening stops early when MemAvailable falls under BENCH_IMAP_MIN_AVAILABLE_MB (3072)
#    — the machine is shared —, when no session could be opened for BENCH_IMAP_IDLE_STALL
#    (120) s, or after BENCH_IMAP_IDLE_MAX_SECONDS (1800) s; the table says how far it got.
#
# Both servers run as private instances under one temporary directory (BENCH_TMPDIR, else
# mktemp -d), on free loopback ports, stopped and removed at the end, also on error or Ctrl-C.
# The only system change is installing dovecot-imapd when missing. Run as root (Dovecot's
# master and both servers drop privileges). Never run this as a CI test.
#
# Environment: BENCH_IMAP_MESSAGES (10000), BENCH_IMAP_SESSIONS (4), BENCH_IMAP_SCALE (1.0:
# multiplies the repetitions of every phase), BENCH_IMAP_IDLE_COUNTS ("1000,10000"; empty:
# skip), BENCH_IMAP_MIN_AVAILABLE_MB (3072), BENCH_IMAP_SEED_DIR (reuse/keep the generated
# Maildir there), BENCH_ONLY (correio|dovecot), BENCH_CORREIO_IMAPD_MAXPROC (master.cf maxproc
# of imapd, default "-" as the quick start: one event-driven process), BENCH_DOVECOT_IMAP_CLIENT_LIMIT
# (service imap client_limit, default 1 as stock: one imap process per connection),
# BENCH_KEEP=1 (keep the temporary directory and logs), BENCH_RESULTS (bench/results).
set -euo pipefail

SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR="$SRC_DIR/bench"
BUILD_DIR=${1:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$SRC_DIR/$BUILD_DIR" ;; esac
CORREIO_BIN="$BUILD_DIR/bin/correio"

N=${BENCH_IMAP_MESSAGES:-10000}
SESSIONS=${BENCH_IMAP_SESSIONS:-4}
SCALE=${BENCH_IMAP_SCALE:-1.0}
IDLE_COUNTS=${BENCH_IMAP_IDLE_COUNTS-1000,10000}
MIN_AVAIL=${BENCH_IMAP_MIN_AVAILABLE_MB:-3072}
IDLE_STALL=${BENCH_IMAP_IDLE_STALL:-120}
IDLE_MAX=${BENCH_IMAP_IDLE_MAX_SECONDS:-1800}
IDLE_SETTLE=${BENCH_IMAP_IDLE_SETTLE:-3}
ONLY=${BENCH_ONLY:-}
CO_MAXPROC=${BENCH_CORREIO_IMAPD_MAXPROC:--}
DV_CLIENT_LIMIT=${BENCH_DOVECOT_IMAP_CLIENT_LIMIT:-1}
RESULTS_DIR=${BENCH_RESULTS:-$SRC_DIR/bench/results}
DOVECOT=/usr/sbin/dovecot

log() { printf 'bench/imap: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- prerequisites -------------------------------------------------------------------
[ -x "$CORREIO_BIN" ] || die "$CORREIO_BIN missing: run 'make build' (or pass the build directory)"
command -v python3 >/dev/null || die "python3 is required"
[ "$(id -u)" -eq 0 ] || die "run as root: Dovecot's master and Correio's master drop privileges"
if [ ! -x "$DOVECOT" ] || [ ! -x /usr/lib/dovecot/imap ]; then
  log "installing the Debian package dovecot-imapd (its system service is not used)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends dovecot-imapd >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y \
           --no-install-recommends dovecot-imapd >/dev/null; } || die "cannot install dovecot-imapd"
fi
getent passwd dovecot >/dev/null && getent passwd dovenull >/dev/null \
  || die "users dovecot/dovenull missing (the dovecot-core package creates them)"
DV_VERSION=$("$DOVECOT" --version | cut -d' ' -f1)

# Mail owners: Correio's imapd runs as mail_owner; Dovecot's imap as the userdb uid.
if getent passwd correio >/dev/null; then CO_OWNER=correio; else CO_OWNER=nobody; fi
CO_UIDGID="$(id -u "$CO_OWNER"):$(id -g "$CO_OWNER")"
# imap-login runs as login_user, which must not be mail_owner (docs/prelogin.md): the
# default (nobody) is CO_OWNER when there is no correio user; dovenull exists (checked
# above). A binary from before the split has no login_user: the line is left out.
CO_LOGIN_USER_LINE=""
if "$CORREIO_BIN" -c /nonexistent postconf -d login_user 2>/dev/null | grep -q "^login_user ="; then
  CO_LOGIN_USER_LINE="login_user = dovenull"
fi
DV_UIDGID="$(id -u nobody):$(id -g nobody)"

# 10,000 client sockets, and as many on the server side (both inherit this limit).
ulimit -n "$(ulimit -Hn)" || true
[ "$(ulimit -n)" -ge 10100 ] || log "warning: ulimit -n is $(ulimit -n); 10,000 connections need more"

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- temporary tree and cleanup ------------------------------------------------------
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/correio-imapbench.XXXXXX")
chmod 755 "$TMP"
CO="$TMP/correio"
DV="$TMP/dovecot"
CO_UP=0; DV_UP=0

stop_correio() {
  if [ "$CO_UP" = 1 ]; then timeout 60 "$CORREIO_BIN" -c "$CO/etc" stop >/dev/null 2>&1 || true; CO_UP=0; fi
}
stop_dovecot() {
  if [ "$DV_UP" = 1 ]; then
    # `dovecot stop` returns before the processes are gone, and the imap processes outlive
    # the master for a while: wait (bounded) for every process of the instance to exit.
    local pid pids p
    pid=$(cat "$DV/run/master.pid" 2>/dev/null || true)
    pids=$([ -n "$pid" ] && python3 -c "import sys; sys.path.insert(0, '$BENCH_DIR')
import imap_client; print(' '.join(map(str, imap_client.tree_pids($pid))))" || true)
    timeout 60 "$DOVECOT" -c "$DV/dovecot.conf" stop >/dev/null 2>&1 || true
    for _ in $(seq 1 1200); do
      p=""; for q in $pids; do kill -0 "$q" 2>/dev/null && { p=$q; break; }; done
      [ -n "$p" ] || break
      sleep 0.1
    done
    DV_UP=0
  fi
}
cleanup() {
  local rc=$?
  set +e
  stop_correio
  stop_dovecot
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "kept $TMP (logs: $CO/maillog, $DV/dovecot.log)"
  else
    rm -rf "$TMP"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_port() {
  python3 - "$1" <<'EOF' || die "nothing listens on 127.0.0.1:$1"
import socket, sys, time
deadline = time.monotonic() + 30
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close(); break
    except OSError:
        if time.monotonic() > deadline: sys.exit(1)
        time.sleep(0.1)
EOF
}

# --- the Maildirs --------------------------------------------------------------------
SEED=${BENCH_IMAP_SEED_DIR:-$TMP/seed}
if [ ! -f "$SEED/.complete-$N" ]; then
  log "generating $N messages in $SEED (once; BENCH_IMAP_SEED_DIR keeps them for later runs)"
  rm -rf "$SEED"
  python3 "$BENCH_DIR/imap_maildir.py" "$SEED/bench" "$N"
  python3 "$BENCH_DIR/imap_maildir.py" "$SEED/idle" 20 7
  touch "$SEED/.complete-$N"
fi

place_maildirs() { # base owner
  mkdir -p "$1/bench.test"
  cp -a "$SEED/bench" "$1/bench.test/bench"
  cp -a "$SEED/idle" "$1/bench.test/idle"
  chown -R "$2" "$1"
}

# --- Correio instance ----------------------------------------------------------------
CO_PORT=$(free_port)
setup_correio() {
  mkdir -p "$CO/etc" "$CO/queue" "$CO/data" "$CO/mail"
  cat >"$CO/etc/main.cf" <<EOF
# Correio bench instance (bench/imap.sh): the quick start's settings, no TLS.
myhostname = mail.bench.test
mydomain = bench.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mail_owner = $CO_OWNER
$CO_LOGIN_USER_LINE
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $CO/mail
user_directory = passwd-file:$CO/etc/users
queue_directory = $CO/queue
data_directory = $CO/data
maillog_file = $CO/maillog
EOF
  cat >"$CO/etc/master.cf" <<EOF
# service          type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$CO_PORT inet  n       -       n       -       $CO_MAXPROC       imapd
  -o auth_allow_cleartext=yes
EOF
  printf '%s\n' "bench@bench.test:{PLAIN}secret::::::" "idle@bench.test:{PLAIN}secret::::::" >"$CO/etc/users"
  : >"$CO/maillog"
  chown "$CO_OWNER" "$CO/etc/users" "$CO/maillog"
  chmod 600 "$CO/etc/users"
  place_maildirs "$CO/mail" "$CO_UIDGID"
  "$CORREIO_BIN" -c "$CO/etc" check >/dev/null || die "correio check failed (config in $CO/etc)"
  "$CORREIO_BIN" -c "$CO/etc" start >&2 || die "correio start failed; log: $CO/maillog"
  CO_UP=1
  wait_port "$CO_PORT"
}

# --- Dovecot instance ----------------------------------------------------------------
DV_PORT=$(free_port)
while [ "$DV_PORT" = "$CO_PORT" ]; do DV_PORT=$(free_port); done
setup_dovecot() {
  mkdir -p "$DV/run" "$DV/state" "$DV/mail"
  # Dovecot's built-in defaults (this file replaces /etc/dovecot/dovecot.conf, so nothing of
  # Debian's conf.d is read) plus only what a private instance and 10,000 connections need.
  cat >"$DV/dovecot.conf" <<EOF
# Dovecot bench instance (bench/imap.sh)
instance_name = dovecot-imapbench
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
# plaintext LOGIN on loopback, as Correio's auth_allow_cleartext = yes
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$DV/mail/%d/%n
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DV/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $DV/users
}
protocol imap {
  # stock: 10 per user and IP; the idle test opens 10,000 for one user
  mail_max_userip_connections = 20000
}
# 10,000 concurrent sessions: login processes in high-performance mode (one per core,
# each serving many clients), one imap process per session as stock (client_limit 1).
default_client_limit = 11000
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DV_PORT
  }
  inet_listener imaps {
    port = 0
  }
  service_count = 0
  process_min_avail = 2
  process_limit = 2
  client_limit = 11000
}
service imap {
  process_limit = 10500
  client_limit = $DV_CLIENT_LIMIT
}
service anvil {
  client_limit = 11000
}
service auth {
  client_limit = 11000
}
service log {
  # one log pipe per process
  client_limit = 11000
}
EOF
  local uid gid
  IFS=: read -r uid gid <<<"$DV_UIDGID"
  printf '%s\n' "bench@bench.test:{PLAIN}secret:$uid:$gid::$DV/mail/bench.test/bench::" \
    "idle@bench.test:{PLAIN}secret:$uid:$gid::$DV/mail/bench.test/idle::" >"$DV/users"
  chown root:dovecot "$DV/users"   # read by the auth process (user dovecot)
  chmod 640 "$DV/users"
  place_maildirs "$DV/mail" "$DV_UIDGID"
  "$DOVECOT" -c "$DV/dovecot.conf" -n >"$DV/doveconf-n.txt" 2>"$DV/doveconf.err" \
    || { cat "$DV/doveconf.err" >&2; die "dovecot configuration rejected"; }
  "$DOVECOT" -c "$DV/dovecot.conf" 2>>"$DV/start.err" \
    || { cat "$DV/start.err" >&2; die "dovecot start failed; log: $DV/dovecot.log"; }
  DV_UP=1
  wait_port "$DV_PORT"
}

# --- run -----------------------------------------------------------------------------
FSTYPE=$(findmnt -n -o FSTYPE -T "$TMP" 2>/dev/null || stat -f -c %T "$TMP")
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MACHINE="nproc $(nproc), ${CPU:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r); temp dir on $FSTYPE"
CO_VERSION=$(cd "$SRC_DIR" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE=$(date -u +%Y-%m-%d)
LOADS="before: $(cut -d' ' -f1-3 /proc/loadavg)"
log "machine: $MACHINE; load $LOADS"
log "Correio $CO_VERSION on 127.0.0.1:$CO_PORT (imapd maxproc $CO_MAXPROC), Dovecot $DV_VERSION on 127.0.0.1:$DV_PORT"

CLIENT="$BENCH_DIR/imap_client.py"
run_workload() { # name port maildir owner -> JSON lines in $TMP/NAME.workload.jsonl
  python3 "$CLIENT" workload --port "$2" --user bench@bench.test --password secret \
    --maildir "$3" --owner "$4" --sessions "$SESSIONS" --scale "$SCALE" \
    | tee "$TMP/$1.workload.jsonl" | sed -u "s/^/bench\/imap: $1: /" >&2
}
run_idle() { # name port master-pid
  [ -n "$IDLE_COUNTS" ] || return 0
  python3 "$CLIENT" idle --port "$2" --user idle@bench.test --password secret \
    --counts "$IDLE_COUNTS" --root-pid "$3" --min-available-mb "$MIN_AVAIL" \
    --stall-seconds "$IDLE_STALL" --max-seconds "$IDLE_MAX" --settle "$IDLE_SETTLE" \
    | tee "$TMP/$1.idle.jsonl" | sed -u "s/^/bench\/imap: $1 idle: /" >&2 \
    || log "$1: the idle-connection client failed; the table shows what it measured"
}

if [ "$ONLY" != dovecot ]; then
  setup_correio
  log "Correio: workload ..."
  run_workload correio "$CO_PORT" "$CO/mail/bench.test/bench" "$CO_UIDGID"
  LOADS+="; after Correio's workload: $(cut -d' ' -f1-3 /proc/loadavg)"
  log "Correio: idle connections ..."
  run_idle correio "$CO_PORT" "$(cat "$CO/data/master.pid")"
  stop_correio
fi
if [ "$ONLY" != correio ]; then
  setup_dovecot
  log "Dovecot: workload ..."
  run_workload dovecot "$DV_PORT" "$DV/mail/bench.test/bench" "$DV_UIDGID"
  LOADS+="; after Dovecot's workload: $(cut -d' ' -f1-3 /proc/loadavg)"
  log "Dovecot: idle connections ..."
  run_idle dovecot "$DV_PORT" "$(cat "$DV/run/master.pid")"
  stop_dovecot
fi
LOADS+="; at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- report --------------------------------------------------------------------------
DV_WARN=$(grep -c -i "warning\|error\|fatal" "$DV/dovecot.log" 2>/dev/null || true)
CO_WARN=$(grep -c -E "warning|error|fatal|panic" "$CO/maillog" 2>/dev/null || true)
mkdir -p "$RESULTS_DIR"
RESULT_FILE="$RESULTS_DIR/imap-$DATE.md"
HEADER="- $N-message Maildir (bench/imap_maildir.py), $SESSIONS concurrent sessions per phase, scale $SCALE
- Correio $CO_VERSION (imapd maxproc $CO_MAXPROC); Dovecot $DV_VERSION (Debian package; imap client_limit $DV_CLIENT_LIMIT)
- machine: $MACHINE; load average (1/5/15 min) $LOADS
- log lines with warning/error: Correio ${CO_WARN:-0}, Dovecot ${DV_WARN:-0}"
python3 "$BENCH_DIR/imap_report.py" "$TMP" md "# bench/imap.sh — $DATE" "$HEADER" >"$RESULT_FILE"
echo
python3 "$BENCH_DIR/imap_report.py" "$TMP" md "IMAP benchmark $DATE" "$HEADER"
log "table written to $RESULT_FILE"
