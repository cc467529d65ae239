#!/usr/bin/env bash
# bench/smtp.sh [BUILD_DIR] — SMTP intake and Maildir delivery throughput, Correio against
# a stock Postfix 3.7, in the same run, on the same machine and the same file system.
#
# Postfix's smtp-source sends BENCH_MESSAGES (default 20000) messages of 2 KB body, one
# recipient each, over 1, 10 and 50 parallel sessions (BENCH_SESSIONS) to each server on
# 127.0.0.1. For every run it reports
#   accepted/s  = messages / wall time of smtp-source (every message got its 250 after DATA)
#   delivered/s = messages / time from the start of sending until all of them are files in
#                 the Maildir's new/ (counted every 50 ms once the sender ended)
# and the ratio Correio/Postfix. Both sides keep their stock durability: a 250 after DATA
# means the queue file is fsynced, and a Maildir file is fsynced before it is linked into
# new/ (docs/performance.md has the details).
#
# Nothing on the machine is disturbed: both servers run as private instances under one
# temporary directory (BENCH_TMPDIR, else mktemp -d), on free loopback ports, and are
# stopped and removed at the end, also on error or Ctrl-C. The only system change is
# installing the Debian package postfix (for smtp-source and Postfix itself) when it is
# missing — preseeded "No configuration", so no system Postfix is configured or started.
#
# Environment: BENCH_MESSAGES (20000), BENCH_SESSIONS ("1 10 50"), BENCH_SIZE (2048),
# BENCH_SMTP_SOURCE_OPTS (extra smtp-source flags, e.g. "-d" to reuse connections),
# BENCH_DELIVERY_TIMEOUT (600 s per run), BENCH_SEND_TIMEOUT (1800 s per run),
# BENCH_ONLY (correio|postfix: run one side only), BENCH_CORREIO_VIRTUAL_MAXPROC (maxproc
# of Correio's virtual service, default "-" as in the quick start), BENCH_KEEP=1 (keep the temporary
# directory and its logs), BENCH_RESULTS (directory for the markdown table, bench/results),
# BENCH_SETTLE (pause after each run and before the first, default 65 s: see reset_side),
# BENCH_CORREIO_MAIN_CF (lines appended to Correio's main.cf, e.g. "header_checks = pcre:F").
#
# Never run this as a CI test: it is a timed benchmark and takes minutes.
set -euo pipefail

SRC_DIR=$(cd "$(dirname "$0")/.." && pwd)
BUILD_DIR=${1:-build}
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$SRC_DIR/$BUILD_DIR" ;; esac
CORREIO_BIN="$BUILD_DIR/bin/correio"

N=${BENCH_MESSAGES:-20000}
SESSIONS=${BENCH_SESSIONS:-"1 10 50"}
SIZE=${BENCH_SIZE:-2048}
SEND_OPTS=${BENCH_SMTP_SOURCE_OPTS:-}
DELIVERY_TIMEOUT=${BENCH_DELIVERY_TIMEOUT:-600}
SEND_TIMEOUT=${BENCH_SEND_TIMEOUT:-1800}
SETTLE=${BENCH_SETTLE:-65}
ONLY=${BENCH_ONLY:-}
# Correio's master.cf maxproc for virtual: "-" (the quick start's) is ONE event-driven
# process; a number runs that many (docs/master.md).
CO_VIRTUAL_MAXPROC=${BENCH_CORREIO_VIRTUAL_MAXPROC:--}
RESULTS_DIR=${BENCH_RESULTS:-$SRC_DIR/bench/results}
SMTP_SOURCE=/usr/sbin/smtp-source
POSTFIX=/usr/sbin/postfix

log() { printf 'bench/smtp: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# --- prerequisites -------------------------------------------------------------------
[ -x "$CORREIO_BIN" ] || die "$CORREIO_BIN missing: run 'make build' (or pass the build directory)"
command -v python3 >/dev/null || die "python3 is required"
if [ ! -x "$SMTP_SOURCE" ] || [ ! -x "$POSTFIX" ]; then
  [ "$(id -u)" -eq 0 ] || die "the Debian package postfix is missing; install it as root (see docs/performance.md)"
  log "installing the Debian package postfix (preseeded: No configuration; no system instance)"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postfix >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y \
           --no-install-recommends postfix >/dev/null; } || die "cannot install postfix"
fi
[ "$(id -u)" -eq 0 ] || die "run as root: Postfix's master and delivery agents need it (they drop privileges)"
getent passwd postfix >/dev/null || die "user postfix missing (the postfix package creates it)"
getent group postdrop >/dev/null || die "group postdrop missing (the postfix package creates it)"
PF_VERSION=$(/usr/sbin/postconf -d -h mail_version)

# Delivery user for Postfix's virtual(8) (it refuses uid 0 and uids below
# virtual_minimum_uid = 100) and Correio's mail_owner (Correio's daemons run as it).
VUSER=nobody
VUID=$(id -u "$VUSER"); VGID=$(id -g "$VUSER")
if getent passwd correio >/dev/null; then CORREIO_OWNER=correio; else CORREIO_OWNER=nobody; fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# --- temporary tree and cleanup ------------------------------------------------------
TMP=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/correio-bench.XXXXXX")
chmod 755 "$TMP"
CO="$TMP/correio"        # Correio: etc/ queue/ data/ mail/ maillog
PF="$TMP/postfix"        # Postfix: etc/ queue/ data/ mail/ maillog
CO_UP=0; PF_UP=0

cleanup() {
  local rc=$?
  set +e
  if [ "$CO_UP" = 1 ]; then timeout 60 "$CORREIO_BIN" -c "$CO/etc" stop >/dev/null 2>&1; fi
  if [ "$PF_UP" = 1 ]; then timeout 60 "$POSTFIX" -c "$PF/etc" stop >/dev/null 2>&1; fi
  if [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "kept $TMP (logs: $CO/maillog, $PF/maillog)"
  else
    rm -rf "$TMP"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CO_PORT=$(free_port)
PF_PORT=$(free_port)
while [ "$PF_PORT" = "$CO_PORT" ]; do PF_PORT=$(free_port); done

# --- Correio instance ----------------------------------------------------------------
setup_correio() {
  mkdir -p "$CO/etc" "$CO/queue" "$CO/data" "$CO/mail"
  cat >"$CO/etc/main.cf" <<EOF
# Correio bench instance (bench/smtp.sh): the quick start's configuration, no TLS.
myhostname = mail.bench.test
mydomain = bench.test
myorigin = \$mydomain
mydestination = localhost
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mail_owner = $CORREIO_OWNER
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $CO/mail
user_directory = passwd-file:$CO/etc/users
queue_directory = $CO/queue
data_directory = $CO/data
mail_spool_directory = $CO/spool
maillog_file = $CO/maillog
default_process_limit = 100
EOF
  # Extra main.cf lines for one side of a comparison, e.g. a header_checks table.
  if [ -n "${BENCH_CORREIO_MAIN_CF:-}" ]; then printf '%s\n' "$BENCH_CORREIO_MAIN_CF" >>"$CO/etc/main.cf"; fi
  cat >"$CO/etc/master.cf" <<EOF
# service          type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$CO_PORT inet  n       -       n       -       -       smtpd
qmgr               unix  n       -       n       300     1       qmgr
virtual            unix  -       n       n       -       $CO_VIRTUAL_MAXPROC       virtual
EOF
  # Dovecot passwd-file; no password needed (no login in this bench).
  echo "u@bench.test:{PLAIN}unused::::::" >"$CO/etc/users"
  # The services run as mail_owner and open maillog_file themselves (Correio has no
  # postlogd yet): a root-owned log file would silently lose their lines.
  : >"$CO/maillog"
  chown "$CORREIO_OWNER" "$CO/etc/users" "$CO/mail" "$CO/maillog"
  chmod 600 "$CO/etc/users"
  "$CORREIO_BIN" -c "$CO/etc" check >/dev/null || die "correio check failed (config in $CO/etc)"
  "$CORREIO_BIN" -c "$CO/etc" start >&2 || die "correio start failed; log: $CO/maillog"
  CO_UP=1
}

# --- Postfix instance ----------------------------------------------------------------
# postfix(1) prints its errors only to a terminal (else to syslog): on failure, run it
# again under script(1) to show why.
pf_cmd() {
  "$POSTFIX" -c "$PF/etc" "$@" >/dev/null 2>&1 && return 0
  if command -v script >/dev/null; then
    script -qc "$POSTFIX -c $PF/etc $*" /dev/null | sed 's/^/  /' >&2 || true
  fi
  return 1
}

setup_postfix() {
  mkdir -p "$PF/etc" "$PF/queue" "$PF/data" "$PF/mail"
  # Debian's stock main.cf parameters for a virtual-mailbox-only instance; nothing that
  # changes durability (Postfix always fsyncs queue files before its 250).
  cat >"$PF/etc/main.cf" <<EOF
# Postfix bench instance (bench/smtp.sh): stock settings except where noted.
compatibility_level = 3.6
queue_directory = $PF/queue
data_directory = $PF/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.bench.test
mydomain = bench.test
myorigin = \$mydomain
mydestination = localhost
mynetworks = 127.0.0.0/8
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
alias_maps =
alias_database =
biff = no
smtpd_banner = \$myhostname ESMTP
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/etc/vmailbox
virtual_uid_maps = static:$VUID
virtual_gid_maps = static:$VGID
# enough processes for 50 parallel SMTP sessions (stock: 100)
default_process_limit = 100
maillog_file = $PF/maillog
maillog_file_prefixes = /var, /dev/stdout, $PF
EOF
  # Trailing slash: Maildir.
  echo "u@bench.test bench.test/u/" >"$PF/etc/vmailbox"
  # Debian's stock master.cf without chroot (a private instance has no populated chroot
  # jail) and without the pipe/tlsmgr services, smtpd on our loopback port.
  cat >"$PF/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$PF_PORT inet n -     n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
  chown "$VUID:$VGID" "$PF/mail"
  chown postfix "$PF/data"; chmod 700 "$PF/data"   # as Debian's /var/lib/postfix
  chown -R root:root "$PF/etc"
  pf_cmd check || die "postfix check failed (config in $PF/etc)"
  pf_cmd start || die "postfix start failed; log: $PF/maillog"
  PF_UP=1
}

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

# One run: smtp-source in the background, the Maildir counted every 50 ms after it. Prints
# "ACCEPT_SECONDS DELIVERED_SECONDS STATUS" (seconds "-" when not reached).
cat >"$TMP/measure.py" <<'EOF'
import os, shlex, subprocess, sys, time
n, sessions, size, port, newdir, send_to, deliv_to, log = sys.argv[1:9]
opts = shlex.split(sys.argv[9]) if len(sys.argv) > 9 else []
n, send_to, deliv_to = int(n), float(send_to), float(deliv_to)

def count():
    try:
        with os.scandir(newdir) as it:
            return sum(1 for _ in it)
    except FileNotFoundError:
        return 0

cmd = ["/usr/sbin/smtp-source", *opts, "-s", sessions, "-m", str(n), "-l", size,
       "-f", "s@bench.test", "-t", "u@bench.test", f"127.0.0.1:{port}"]
with open(log, "ab") as out:
    out.write((" ".join(cmd) + "\n").encode()); out.flush()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=out, stderr=out, stdin=subprocess.DEVNULL)
    sent_at = accepted = delivered = None
    status = "ok"
    while True:
        now = time.monotonic() - t0
        if sent_at is None:
            rc = p.poll()
            if rc is not None:
                sent_at = now
                if rc == 0: accepted = now
                else: status = f"smtp-source-exit-{rc}"
            elif now > send_to:
                p.kill(); p.wait(); sent_at = now; status = "send-timeout"
        # Counted only once the sender is done: listing a directory of up to 20,000
        # files 20 times a second costs a good part of a CPU, which would be taken from
        # the server being measured. The last file cannot appear before the last 250.
        got = count() if sent_at is not None else 0
        if got >= n:
            delivered = now
        if sent_at is not None and delivered is not None:
            break
        # Bounded: give up waiting for delivery deliv_to seconds after the sender ended
        # (30 s when the sender failed: then not all messages were accepted anyway).
        if sent_at is not None and now > sent_at + (deliv_to if status == "ok" else 30):
            if status == "ok": status = f"delivery-timeout-{got}-of-{n}"
            else: status += f"-delivered-{got}-of-{n}"
            break
        time.sleep(0.05)
fmt = lambda x: "-" if x is None else f"{x:.3f}"
print(fmt(accepted), fmt(delivered), status)
EOF

# Moves the delivered mail aside and waits for the queue to be empty (every queue file
# gone), then flushes dirty pages so a run does not pay for the previous one's writeback.
# The mail is moved, not deleted, until the end: on ext4 without a journal, deleting
# 20,000 files would slow down the next run's file creations for minutes (inode
# allocation skips recently freed inodes), whichever server that run measures.
# For the same reason every run ends with a pause of BENCH_SETTLE seconds: Postfix deletes
# each queue file it has delivered, and for 60 s after a deletion (360 s while the inode
# table block is unwritten) ext4 without a journal rescans those inodes on every file
# creation in that block group. Without the pause, the next run, of either server, paid
# for the deletions of the run before it (seen: up to a fifth of all CPU in the inode
# allocator). Within its own run each server still pays for its own deletions.
reset_side() {
  local maildir=$1 queue=$2 i
  for i in $(seq 1 600); do
    if [ -z "$(find "$queue/incoming" "$queue/active" "$queue/deferred" -type f 2>/dev/null | head -1)" ]; then
      break
    fi
    sleep 0.1
  done
  if [ -e "$maildir" ]; then
    mkdir -p "$TMP/trash"
    mv "$maildir" "$TMP/trash/$(date +%s%N)"
  fi
  sync
  sleep "$SETTLE"
}

rate() { # messages seconds
  if [ "$2" = "-" ]; then echo "-"; else python3 -c "print(f'{$1/$2:.0f}')"; fi
}
ratio() {
  if [ "$1" = "-" ] || [ "$2" = "-" ]; then echo "-"; else python3 -c "print(f'{$1/$2:.2f}')"; fi
}

run_side() { # name port maildir-new queue sessions -> "accepted/s delivered/s status"
  local name=$1 port=$2 newdir=$3 queue=$4 s=$5 out a d st
  out=$(python3 "$TMP/measure.py" "$N" "$s" "$SIZE" "$port" "$newdir" "$SEND_TIMEOUT" \
        "$DELIVERY_TIMEOUT" "$TMP/smtp-source.$name.log" "$SEND_OPTS")
  read -r a d st <<<"$out"
  [ "$st" = ok ] || log "$name, $s sessions: $st (smtp-source output: $TMP/smtp-source.$name.log)"
  echo "$(rate "$N" "$a") $(rate "$N" "$d") $st"
  reset_side "$(dirname "$newdir")" "$queue"
}

# --- run -----------------------------------------------------------------------------
FSTYPE=$(findmnt -n -o FSTYPE -T "$TMP" 2>/dev/null || stat -f -c %T "$TMP")
FSDEV=$(findmnt -n -o SOURCE -T "$TMP" 2>/dev/null || echo "?")
FSOPTS=$(findmnt -n -o OPTIONS -T "$TMP" 2>/dev/null || echo "?")
CPU=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
MACHINE="nproc $(nproc), ${CPU:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, Linux $(uname -r); temp dir $TMP on $FSTYPE ($FSDEV, $FSOPTS)"
CO_VERSION=$(cd "$SRC_DIR" && git rev-parse --short HEAD 2>/dev/null || echo unknown)
DATE=$(date -u +%Y-%m-%d)

log "machine: $MACHINE"
log "Correio $CO_VERSION ($CORREIO_BIN) on 127.0.0.1:$CO_PORT, Postfix $PF_VERSION on 127.0.0.1:$PF_PORT"
log "$N messages of $SIZE bytes per run, sessions: $SESSIONS${SEND_OPTS:+, smtp-source $SEND_OPTS}"

[ "$ONLY" = postfix ] || { setup_correio; wait_port "$CO_PORT"; }
[ "$ONLY" = correio ] || { setup_postfix; wait_port "$PF_PORT"; }

sync
sleep "$SETTLE"  # whatever ran before the bench deleted files too
ROWS=()
LOADS="before: $(cut -d' ' -f1-3 /proc/loadavg); "
for s in $SESSIONS; do
  ca=- cd=- cst=skipped pa=- pd=- pst=skipped
  if [ "$ONLY" != postfix ]; then
    log "Correio, $s sessions ..."
    read -r ca cd cst <<<"$(run_side correio "$CO_PORT" "$CO/mail/bench.test/u/new" "$CO/queue" "$s")"
  fi
  if [ "$ONLY" != correio ]; then
    log "Postfix, $s sessions ..."
    read -r pa pd pst <<<"$(run_side postfix "$PF_PORT" "$PF/mail/bench.test/u/new" "$PF/queue" "$s")"
  fi
  ROWS+=("$s|$ca|$pa|$(ratio "$ca" "$pa")|$cd|$pd|$(ratio "$cd" "$pd")|$cst|$pst")
  LOADS+="$s sessions: $(cut -d' ' -f1-3 /proc/loadavg); "
done

# --- report --------------------------------------------------------------------------
print_table() { # plain|md
  local r s ca pa ra cd pd rd cst pst notes
  if [ "$1" = md ]; then
    echo "| sessions | Correio accepted/s | Postfix accepted/s | ratio | Correio delivered/s | Postfix delivered/s | ratio |"
    echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  else
    printf '%8s | %18s | %18s | %6s | %19s | %19s | %6s\n' sessions "Correio accepted/s" \
      "Postfix accepted/s" ratio "Correio delivered/s" "Postfix delivered/s" ratio
  fi
  for r in "${ROWS[@]}"; do
    IFS='|' read -r s ca pa ra cd pd rd cst pst <<<"$r"
    notes=""
    [ "$cst" = ok ] || [ "$cst" = skipped ] || notes+=" Correio: $cst."
    [ "$pst" = ok ] || [ "$pst" = skipped ] || notes+=" Postfix: $pst."
    if [ "$1" = md ]; then
      echo "| $s | $ca | $pa | $ra | $cd | $pd | $rd |${notes:+ $notes}"
    else
      printf '%8s | %18s | %18s | %6s | %19s | %19s | %6s%s\n' "$s" "$ca" "$pa" "$ra" "$cd" "$pd" "$rd" "$notes"
    fi
  done
}

count_log() { if [ -f "$2" ]; then grep -c -- "$1" "$2" || true; else echo 0; fi; }
LOGNOTE="mail log: Correio $(count_log 'status=sent' "$CO/maillog") sent, $(count_log 'status=deferred' "$CO/maillog") deferred, $(count_log 'status=bounced' "$CO/maillog") bounced; Postfix $(count_log 'status=sent' "$PF/maillog") sent, $(count_log 'status=deferred' "$PF/maillog") deferred, $(count_log 'status=bounced' "$PF/maillog") bounced"

echo
echo "SMTP benchmark $DATE — $N messages x $SIZE bytes, smtp-source${SEND_OPTS:+ $SEND_OPTS}"
echo "machine: $MACHINE"
echo "Correio $CO_VERSION, Postfix $PF_VERSION"
echo
print_table plain
echo
echo "$LOGNOTE"
echo "load average (1/5/15 min) after each sessions row: $LOADS"

mkdir -p "$RESULTS_DIR"
RESULT_FILE="$RESULTS_DIR/smtp-$DATE.md"
{
  echo "# bench/smtp.sh — $DATE"
  echo
  echo "- $N messages of $SIZE bytes per run, \`smtp-source -s SESSIONS -m $N -l $SIZE${SEND_OPTS:+ $SEND_OPTS}\`, one recipient, 127.0.0.1"
  echo "- Correio $CO_VERSION; Postfix $PF_VERSION (Debian package), stock durability on both sides"
  echo "- machine: $MACHINE"
  echo "- accepted/s: messages / wall time of smtp-source; delivered/s: messages / time from the start of sending until the last file is in the Maildir's new/"
  echo "- $LOGNOTE"
  echo "- Correio virtual maxproc: $CO_VIRTUAL_MAXPROC; load average (1/5/15 min) after each sessions row: $LOADS"
  echo
  print_table md
} >"$RESULT_FILE"
log "table written to $RESULT_FILE"
